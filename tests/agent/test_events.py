"""``smtpops events``: a scripted history (new → deploy → failed test → rollback) comes out
with the spec's event names and properties, in order, without a secret."""

from __future__ import annotations

import json

from tests.conftest import CANARY, assert_no_canary


def _events(run_cli, *args: str) -> list[dict[str, object]]:
    result = run_cli("events", *args, expect=0)
    assert_no_canary(result.output)
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_scripted_history_gives_the_spec_events(project, run_cli) -> None:
    project.add_config("staging", "relay", provider="custom")
    run_cli("deploy", "staging/relay", expect=0)
    failed = run_cli("test", "staging/relay", "--password-stdin", input="not-the-password\n")
    assert failed.exit_code == 1
    project.add_config("staging", "relay2")
    run_cli("deploy", "staging/relay2", expect=0)
    run_cli("rollback", "staging", expect=0)

    found = _events(run_cli)
    names = [e["event"] for e in found]
    # git times have whole seconds, the test log milliseconds: check each source's order
    from_git = [e["event"] for e in found if "commit" in e]
    from_log = [e["event"] for e in found if "commit" not in e]
    in_git_order = [
        "smtp_config_created",
        "tls_enabled",
        "auth_protocol_selected",
        "certificate_validation_enabled",
        "smtp_config_activated",
        "config_deployment_success",
        "config_rollback_initiated",
    ]
    positions = [from_git.index(n) for n in in_git_order]
    assert positions == sorted(positions), from_git
    assert from_git.count("smtp_config_activated") == 3  # deploy, deploy, rollback
    assert "smtp_config_modified" not in from_git  # deploys only switched `active`
    in_log_order = [
        "connection_test_initiated",
        "connection_test_success",
        "connection_test_failure",
        "authentication_failure",
    ]
    positions = [from_log.index(n) for n in in_log_order]
    assert positions == sorted(positions), from_log
    created = found[names.index("smtp_config_created")]
    assert created["configuration_id"] == "staging/relay"
    assert created["provider"] == "custom" and created["security_protocol"] == "STARTTLS"
    assert created["user_id"].startswith("Ada Admin")
    failure = next(e for e in found if e["event"] == "connection_test_failure")
    assert failure["error_type"].startswith("auth.")
    assert isinstance(failure["test_duration"], int)
    rollback = found[names.index("config_rollback_initiated")]
    assert rollback["deployment_method"] == "rollback"
    assert all(isinstance(e["timestamp"], str) and e["timestamp"].endswith("Z") for e in found)
    assert CANARY not in json.dumps(found)


def test_filters_and_the_list(project, run_cli) -> None:
    project.add_config("staging", "relay")
    assert _events(run_cli, "--since", "2999-01-01") == []
    only = _events(run_cli, "--event", "smtp_config_created")
    assert [e["event"] for e in only] == ["smtp_config_created"]
    bad = run_cli("events", "--event", "no_such_event")
    assert bad.exit_code == 2 and "smtpops events --list" in bad.stderr
    since = run_cli("events", "--since", "last tuesday")
    assert since.exit_code == 2 and "--since" in since.stderr
    listing = run_cli("events", "--list", expect=0).stdout
    for name in ("smtp_config_created", "email_bounced", "retry_attempts_exhausted"):
        assert name in listing


def test_text_format_escapes_control_characters(project, run_cli) -> None:
    project.add_config("staging", "relay")
    log = project.root / ".smtpops" / "events.jsonl"
    log.parent.mkdir(exist_ok=True)
    hostile = {
        "event": "error_message_displayed",
        "timestamp": "2026-12-01T00:00:00Z",
        "error_category": "x\x1b]0;owned\x07\u202e",
    }
    log.write_text(json.dumps(hostile) + "\nnot json\n")
    out = run_cli("events", "--format", "text", expect=0).stdout
    assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out
    assert "error_message_displayed" in out
