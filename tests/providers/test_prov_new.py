"""`smtpops new`: renders, validates before writing, never overwrites, never overrides the
user, refuses plaintext passwords, and guides on a terminal."""

from __future__ import annotations

import pytest
import yaml
from prov_helpers import ENCRYPTED_PASSWORD, SAMPLE_PARAMS, Terminal, sample_username

from smtpops.providers import catalog

CANARY = "Canary-Pw-7f3c9e2a!xyzzy"  # same value as tests.conftest.CANARY
PROVIDERS = catalog()


def new_args(pid: str, name: str | None = None, env: str = "development") -> list[str]:
    p = PROVIDERS[pid]
    args = ["new", name or f"{pid}-main", "--env", env, "--provider", pid]
    for key, value in sample_username(p).items():
        args += [f"--{key}", value]
    for key, value in SAMPLE_PARAMS.get(pid, {}).items():
        args += ["--param", f"{key}={value}"]
    return args


@pytest.mark.parametrize("pid", sorted(PROVIDERS))
def test_new_output_validates_clean_for_every_provider(pid, project, run_cli, validate):
    result = run_cli(*new_args(pid), expect=0)
    path = project / "configs" / "development" / f"{pid}-main.yaml"
    assert f"Created configs/development/{pid}-main.yaml" in result.stdout
    text = path.read_text()
    assert text.startswith(
        "# yaml-language-server: $schema=../../schemas/smtp-config.schema.json\n"
    )
    data = yaml.safe_load(text)
    assert data["active"] is False and data["provider"] == pid and "password" not in data
    code, diagnostics = validate(str(path))  # without a password: only CRED001 is an error
    assert code == 1 and {d["rule"] for d in diagnostics if d["severity"] == "error"} == {"CRED001"}
    path.write_text(text + ENCRYPTED_PASSWORD)  # what `smtpops secrets set-password` adds
    code, diagnostics = validate(str(path))
    assert code == 0, diagnostics


def test_explicit_values_win_over_the_template(project, run_cli):
    run_cli(
        "new",
        "billing",
        "--env",
        "staging",
        "--provider",
        "office365",
        "--username",
        "billing@example-utility.com",
        "--description",
        "Bills",
        "--set",
        "max_connections=2",
        "--set",
        "helo_hostname=crm.example-utility.com",
        "--set",
        "custom_headers=X-Company: Example Utility\\nX-Department: Billing",
        expect=0,
    )
    data = yaml.safe_load((project / "configs" / "staging" / "billing.yaml").read_text())
    assert data["max_connections"] == 2 and data["description"] == "Bills"
    assert data["helo_hostname"] == "crm.example-utility.com"
    assert data["custom_headers"] == "X-Company: Example Utility\nX-Department: Billing"


def test_never_overwrites(project, run_cli):
    run_cli(*new_args("gmail", "alerts"), expect=0)
    path = project / "configs" / "development" / "alerts.yaml"
    path.write_text(path.read_text() + "# hand edit\n")
    before = path.read_bytes()
    result = run_cli(*new_args("yahoo", "alerts"), expect=2)
    assert "already exists" in result.stderr and "never overwrites" in result.stderr
    assert path.read_bytes() == before


def test_an_override_that_breaks_a_rule_writes_nothing(project, run_cli):
    result = run_cli(*new_args("gmail"), "--set", "host=smtp.office365.com", expect=1)
    assert "PROV003" in result.stderr and "office365" in result.stderr
    assert "nothing was written" in result.stderr
    assert not list((project / "configs").rglob("*.yaml"))


def test_dry_run_writes_nothing(project, run_cli):
    result = run_cli(*new_args("zoho"), "--param", "region=eu", "--dry-run", expect=0)
    assert "host: smtp.zoho.eu" in result.stdout
    assert not list((project / "configs").rglob("*.yaml"))


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["new", "--env", "development", "--provider", "gmail"], "missing NAME"),
        (["new", "x", "--provider", "gmail"], "missing --env"),
        (["new", "x", "--env", "development"], "missing --provider"),
        (["new", "x", "--env", "development", "--provider", "gmail"], "--username"),
        (
            ["new", "x", "--env", "development", "--provider", "ses", "--username", "u"],
            "--param region=",
        ),
        (
            ["new", "x", "--env", "development", "--provider", "custom", "--username", "u"],
            "--set host=",
        ),
        (["new", "x", "--env", "prod", "--provider", "gmail"], "no environment 'prod'"),
        (["new", "x!", "--env", "development", "--provider", "gmail"], "cannot be a config name"),
        (["new", "x", "--env", "development", "--provider", "gmial"], "Did you mean 'gmail'"),
        (
            ["new", "x", "--env", "development", "--provider", "gmail", "--set", "hots=a"],
            "Did you mean 'host'",
        ),
        (
            ["new", "x", "--env", "development", "--provider", "gmail", "--set", "active=true"],
            "always inactive",
        ),
        (
            ["new", "x", "--env", "development", "--provider", "zoho", "--param", "region=xx"],
            "not one of com, eu",
        ),
        (
            ["new", "x", "--env", "development", "--provider", "gmail", "--param", "region=eu"],
            "has no parameter 'region'",
        ),
    ],
)
def test_usage_errors_name_what_is_missing(project, run_cli, args, expected):
    result = run_cli(*args, expect=2)
    assert expected in result.stderr, repr(result)
    assert "Traceback" not in result.output
    assert not list((project / "configs").rglob("*.yaml"))


def test_a_password_on_the_command_line_is_refused_without_echo(project, run_cli):
    result = run_cli(*new_args("gmail"), "--set", f"password={CANARY}", expect=2)
    assert "--password-stdin" in result.stderr
    assert CANARY not in result.output


def test_password_is_refused_until_it_can_be_encrypted(project, run_cli):
    result = run_cli(*new_args("gmail"), "--password-stdin", input=CANARY + "\n", expect=2)
    assert "smtpops keys init --env development" in result.stderr
    assert "plain text" in result.stderr
    assert CANARY not in result.output
    assert not list((project / "configs").rglob("*.yaml"))


def test_password_is_refused_without_a_sops_rule(project, run_cli):
    (project / ".sops.yaml").write_text(
        "creation_rules:\n  - path_regex: ^configs/production/\n    age: age1xyz\n"
    )
    result = run_cli(*new_args("gmail"), "--password-stdin", input=CANARY + "\n", expect=2)
    assert "smtpops keys init --env development" in result.stderr
    assert CANARY not in result.output
    assert not list((project / "configs").rglob("*.yaml"))


def test_password_is_stored_encrypted(project, run_cli, validate):
    run_cli("keys", "init", "--env", "development", expect=0)
    result = run_cli(*new_args("gmail"), "--password-stdin", input=CANARY + "\n", expect=0)
    assert "stored encrypted" in result.stdout and CANARY not in result.output
    path = project / "configs" / "development" / "gmail-main.yaml"
    text = path.read_text()
    assert CANARY not in text and "password: ENC[AES256_GCM," in text
    assert text.startswith("# yaml-language-server: $schema=")
    code, diagnostics = validate(str(path))
    assert code == 0, diagnostics


GUIDED_ANSWERS = [
    "production",  # environment
    "gmail",  # provider
    "gmail-alerts",  # name
    "Primary Gmail account for outage notices and alerts",  # description
    "alerts@example-utility.com",  # username
    "2",  # 465 with SSL/TLS
    "crm.example-utility.com",  # HELO hostname
    "y",  # add custom headers
    "X-Company: Example Utility",
    "X-Department: Customer Service",
    "",  # no more headers
    "y",  # change limits
    "5",
    "",
    "",
    "",  # max_connections 5, others default
]


def test_guided_setup_asks_for_what_is_missing(project, run_cli):
    result = run_cli("new", "--guided", input="\n".join(GUIDED_ANSWERS) + "\n", expect=0)
    assert "Environment" in result.stdout and "app password" in result.stdout
    assert "587 with STARTTLS (recommended)" in result.stdout
    data = yaml.safe_load((project / "configs" / "production" / "gmail-alerts.yaml").read_text())
    assert data["port"] == 465 and data["tls"] == "SSL/TLS"
    assert data["username"] == "alerts@example-utility.com"
    assert data["helo_hostname"] == "crm.example-utility.com"
    assert data["max_connections"] == 5 and data["retries"] == 3
    assert data["description"] == "Primary Gmail account for outage notices and alerts"
    assert data["custom_headers"] == "X-Company: Example Utility\nX-Department: Customer Service"


def test_guided_setup_rejects_bad_answers_and_asks_again(project, run_cli):
    answers = [
        "development",
        "gmial",
        "gmail",
        "bad name!",
        "ok",
        "",
        "alerts\x00",  # refused at its own prompt, by the same rule as validate (USER003)
        "alerts@example-utility.com",
        "9",
        "",
        "",
        "n",
        "n",
    ]
    result = run_cli("new", "--guided", input="\n".join(answers) + "\n", expect=0)
    assert "did you mean gmail" in result.output and "cannot be a config name" in result.output
    assert "9 is not in the range 1<=x<=2" in result.output
    assert "✗ USER003:" in result.stdout and "That would not pass validation" not in result.stdout
    prompts = [line for line in result.stdout.splitlines() if line.startswith("Username:")]
    assert len(prompts) == 2  # only that question was asked again
    data = yaml.safe_load((project / "configs" / "development" / "ok.yaml").read_text())
    assert data["username"] == "alerts@example-utility.com"


def test_guided_setup_only_asks_what_options_left_open(project, run_cli):
    answers = ["", "", "n", "n"]  # description, HELO hostname, headers, limits
    result = run_cli(
        *new_args("office365", "billing"), "--guided", input="\n".join(answers) + "\n", expect=0
    )
    assert "Environment" not in result.stdout and "Username" not in result.stdout
    text = (project / "configs" / "development" / "billing.yaml").read_text()
    assert "# Microsoft 365 allows 3 connections per mailbox at once.\nmax_connections: 3\n" in text


def test_guided_setup_starts_by_itself_on_a_terminal(project):
    """A real pseudo-terminal: no --guided flag, the missing options are asked for."""
    terminal = Terminal(project)
    try:
        for prompt, answer in [
            ("Environment (", "development"),
            ("Provider:", "gmail"),
            ("Name [", "tty-test"),
            ("Description [", ""),
            ("Username:", "alerts@example-utility.com"),
            ("Choose [", ""),
            ("HELO hostname [", ""),
            ("Add custom headers", "n"),
            ("Change limits", "n"),
        ]:
            terminal.expect(prompt)
            terminal.send(answer)
        terminal.expect("Created configs/development/tty-test.yaml")
        assert terminal.proc.wait(timeout=20) == 0
    finally:
        terminal.close()
    data = yaml.safe_load((project / "configs" / "development" / "tty-test.yaml").read_text())
    assert data["provider"] == "gmail" and data["port"] == 587
