"""Guided `smtpops new`: every answer checked as it is typed by the rules of `validate`, only
the wrong question asked again, '-' clears, headers kept when one is wrong, answers kept
across Ctrl-C (never the password), a password skipped with one Enter."""

from __future__ import annotations

import json
import signal
from pathlib import Path

import yaml
from prov_helpers import Terminal

from tests.processes import wait_until_reading

CANARY = "Canary-Pw-7f3c9e2a!xyzzy"  # same value as tests.conftest.CANARY
DRAFT = Path(".smtpops") / "new-draft.json"


def custom(*answers: str) -> str:
    """Answers for a custom server in development named relay, up to its parameters."""
    return "\n".join(["development", "custom", "relay", "", *answers]) + "\n"


def before(text: str, first: str, then: str) -> bool:
    return first in text and then in text and text.index(first) < text.index(then)


def load(project: Path, env: str = "development", name: str = "relay") -> dict:
    return yaml.safe_load((project / "configs" / env / f"{name}.yaml").read_text())


def test_host_and_port_are_checked_at_their_prompts(project, run_cli):
    answers = custom(
        "smtp.office365 .com",  # a space in the name
        "https://smtp.example.com",  # a URL, not a server name
        "smtp.example.com",
        "99999",  # not a port
        "2525",
        "starttls",  # any case
        "login",
        "crm@example.com",  # username
        "",  # HELO
        "n",  # headers
        "n",  # limits
    )
    result = run_cli("new", "--guided", input=answers, expect=0)
    out = result.stdout
    assert before(out, "✗ HOST003: the SMTP server 'smtp.office365 .com' is not valid", "Port [")
    assert before(out, "it starts with a URL scheme", "Port [")
    assert before(out, "✗ PORT001: 'port' is 99999; it must be between 1 and 65535", "Tls (")
    assert "That would not pass validation" not in out
    data = load(project)
    assert data["host"] == "smtp.example.com" and data["port"] == 2525
    assert data["tls"] == "STARTTLS" and data["auth_protocol"] == "LOGIN"


def test_a_wrong_choice_says_what_the_choices_are(project, run_cli):
    answers = custom("smtp.example.com", "", "TLS", "ssl/tls", "", "crm@example.com", "", "n", "n")
    result = run_cli("new", "--guided", input=answers, expect=0)
    assert "✗ 'TLS' is not one of STARTTLS, SSL/TLS, None." in result.stdout
    assert load(project)["tls"] == "SSL/TLS"


def test_a_rejected_limit_says_what_is_wrong(project, run_cli):
    answers = custom(
        "smtp.example.com",
        "",
        "",
        "",
        "crm@example.com",
        "",
        "n",
        "y",
        "0",
        "many",
        "5",
        "",
        "",
        "",
    )
    result = run_cli("new", "--guided", input=answers, expect=0)
    out = result.stdout
    assert "✗ LIMIT001: 'max_connections' is 0; it must be between 1 and 100" in out
    assert "✗ LIMIT001: 'max_connections' has the value 'many'" in out
    assert "Error:" not in out  # not click's bare repetition of the help text
    prompts = [line for line in out.splitlines() if line.startswith("Maximum connections")]
    assert len(prompts) == 3 and not [ln for ln in out.splitlines() if ln.startswith("Retries")][1:]
    assert load(project)["max_connections"] == 5


def test_a_wrong_header_is_refused_alone_and_the_others_stay(project, run_cli):
    answers = custom(
        "smtp.example.com", "", "", "", "crm@example.com", "", "y",
        "X-Company: Example Utility", "not a header", "X-Priority: 1", "", "n",
    )  # fmt: skip
    result = run_cli("new", "--guided", input=answers, expect=0)
    assert "✗ HDR002: the custom header line 'not a header' is not 'Name: value'" in result.stdout
    assert "That header was not added; the others are kept." in result.stdout
    assert load(project)["custom_headers"] == "X-Company: Example Utility\nX-Priority: 1"


def test_headers_asked_again_after_a_finding_show_and_keep_the_others(project, run_cli):
    """A wrong line given with --set: the headers come back as a numbered list, not a
    one-line prompt that would replace them all."""
    answers = "\n".join(["", "", "n", "-2", ""]) + "\n"  # description, HELO, limits, remove 2
    result = run_cli(
        "new", "billing", "--env", "development", "--provider", "office365",
        "--username", "crm@contoso.com", "--guided",
        "--set", "custom_headers=X-A: 1\\nnot a header\\nX-B: 2",
        input=answers, expect=0,
    )  # fmt: skip
    out = result.stdout
    assert "That would not pass validation" in out and "HDR002" in out
    assert "1) X-A: 1" in out and "2) not a header" in out and "3) X-B: 2" in out
    assert "Removed: not a header" in out
    assert load(project, name="billing")["custom_headers"] == "X-A: 1\nX-B: 2"


def test_dash_clears_an_optional_field_and_a_required_one_is_asked_again(project, run_cli):
    answers = custom(
        "smtp.example.com", "", "", "",
        "-",  # username is required: asked again
        "crm@example.com",
        "-",  # HELO hostname: cleared, the template's default stays
        "y", "X-A: 1", "-", "",  # headers: one added, then all removed
        "n",
    )  # fmt: skip
    result = run_cli("new", "--guided", input=answers, expect=0)
    assert "Username is needed: it cannot be left empty." in result.stdout
    assert "All headers removed." in result.stdout
    data = load(project)
    assert data["username"] == "crm@example.com" and data["helo_hostname"] == "localhost"
    assert "custom_headers" not in data


def test_skipping_the_password_does_not_ask_to_repeat_it(project, run_cli):
    run_cli("keys", "init", "--env", "development", expect=0)
    answers = custom("smtp.example.com", "", "", "", "crm@example.com", "", "n", "n", "")
    result = run_cli("new", "--guided", input=answers, expect=0)
    assert "Repeat for confirmation" not in result.output
    assert "Password: not set yet" in result.stdout


def test_two_different_password_entries_are_asked_again(project, run_cli):
    run_cli("keys", "init", "--env", "development", expect=0)
    answers = custom(
        "smtp.example.com", "", "", "", "crm@example.com", "", "n", "n",
        CANARY, "something else", CANARY, CANARY,
    )  # fmt: skip
    result = run_cli("new", "--guided", input=answers, expect=0)
    assert "The two entries differ" in result.stdout and "stored encrypted" in result.stdout
    assert CANARY not in result.output


def test_answers_are_kept_when_input_ends_and_offered_again(project, run_cli):
    answers = custom("smtp.example.com", "2525", "", "", "crm@example.com", "crm.example.com")
    result = run_cli("new", "--guided", input=answers)
    assert result.exit_code == 130, repr(result)
    assert "Your answers are kept in .smtpops/new-draft.json (no password)" in result.stderr
    assert not (project / "configs" / "development" / "relay.yaml").exists()
    saved = json.loads((project / DRAFT).read_text())
    assert (saved["env"], saved["provider"], saved["name"]) == ("development", "custom", "relay")
    assert saved["params"]["host"] == "smtp.example.com" and saved["params"]["port"] == 2525
    assert saved["values"]["helo_hostname"] == "crm.example.com"
    assert (project / ".smtpops" / ".gitignore").exists()
    # the next run offers them as defaults: Enter keeps each, '-' clears one
    again = "\n".join(["y", *[""] * 9, "-", "n", "n"]) + "\n"  # Enter x9, HELO cleared
    result = run_cli("new", "--guided", input=again, expect=0)
    assert "An unfinished `smtpops new` was kept: development/relay (custom)" in result.stdout
    data = load(project)
    assert data["host"] == "smtp.example.com" and data["port"] == 2525
    assert data["username"] == "crm@example.com" and data["helo_hostname"] == "localhost"
    assert not (project / DRAFT).exists()  # finished: the draft is gone


def test_a_discarded_draft_starts_afresh(project, run_cli):
    run_cli("new", "--guided", input=custom("smtp.example.com"))
    assert (project / DRAFT).exists()
    result = run_cli("new", "--guided", input="n\n" + custom("mail.example.com") + "\n" * 9)
    assert "Discarded; starting afresh." in result.stdout
    assert "[smtp.example.com]" not in result.stdout


def test_the_password_never_reaches_the_draft(project, run_cli):
    run_cli("keys", "init", "--env", "development", expect=0)
    answers = custom("smtp.example.com", "", "", "", "crm@example.com", "", "n", "n", CANARY)
    result = run_cli("new", "--guided", input=answers)  # input ends at "Repeat"
    assert result.exit_code == 130, repr(result)
    assert CANARY not in (project / DRAFT).read_text() and CANARY not in result.output
    assert not list((project / "configs").rglob("*.yaml"))


def test_ctrl_c_on_a_real_terminal_keeps_the_answers_and_resumes(project):
    """A pseudo-terminal and a real SIGINT, then a second run that resumes."""
    first = Terminal(project)
    try:
        for prompt, answer in [
            ("Environment (", "development"),
            ("Provider:", "custom"),
            ("Name [", "tty-relay"),
            ("Description [", ""),
            ("SMTP server:", "smtp.office365 .com"),
            ("SMTP server:", "smtp.example.com"),  # asked again after HOST003
            ("Port [", "2525"),
        ]:
            first.expect(prompt)
            first.send(answer)
        first.expect("Tls (STARTTLS, SSL/TLS, None) [STARTTLS]: ")  # the space: input() is on
        wait_until_reading(first.proc.pid)  # a person's Ctrl-C comes while the prompt waits
        first.proc.send_signal(signal.SIGINT)
        first.expect("Your answers are kept in .smtpops/new-draft.json")
        assert first.proc.wait(timeout=20) == 130
    finally:
        first.close()
    assert "HOST003" in first.seen_all
    second = Terminal(project)
    try:
        second.expect("Resume it")
        second.send("y")
        for prompt in ("Environment (", "Provider [custom]", "Name [tty-relay]", "Description ["):
            second.expect(prompt)
            second.send("")
        for prompt in ("SMTP server [smtp.example.com]", "Port [2525]", "Tls (", "Auth protocol"):
            second.expect(prompt)
            second.send("")
        for prompt, answer in [
            ("Username:", "crm@example.com"),
            ("HELO hostname [", ""),
            ("Add custom headers", "n"),
            ("Change limits", "n"),
        ]:
            second.expect(prompt)
            second.send(answer)
        second.expect("Created configs/development/tty-relay.yaml")
        assert second.proc.wait(timeout=20) == 0
    finally:
        second.close()
    data = load(project, name="tty-relay")
    assert data["host"] == "smtp.example.com" and data["port"] == 2525
    assert not (project / DRAFT).exists()


def test_a_field_cleared_after_resuming_stays_cleared_in_the_kept_answers(project, run_cli):
    run_cli(
        "new",
        "--guided",
        input=custom("smtp.example.com", "", "", "", "crm@example.com", "crm.example.com"),
    )
    assert json.loads((project / DRAFT).read_text())["values"]["helo_hostname"] == "crm.example.com"
    again = "\n".join(["y", *[""] * 9, "-"]) + "\n"  # resume, keep all, clear HELO, stop
    result = run_cli("new", "--guided", input=again)
    assert result.exit_code == 130, repr(result)
    assert "helo_hostname" not in json.loads((project / DRAFT).read_text())["values"]
