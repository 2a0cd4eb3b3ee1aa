"""The happy path through the CLI: every TLS mode × AUTH mechanism against the sandbox."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from smtpops.probe.message import TEST_ID_HEADER

MODES = ("STARTTLS", "SSL/TLS")
MECHANISMS = ("LOGIN", "PLAIN", "CRAM-MD5")


@pytest.mark.parametrize("mechanism", MECHANISMS)
@pytest.mark.parametrize("tls", MODES)
def test_passes_for_each_tls_mode_and_mechanism(sandbox, write_config, probe, tls, mechanism):
    write_config(sandbox.config(tls=tls, auth_protocol=mechanism))
    _result, report = probe("development/sandbox", expect=0)
    assert report["passed"] is True and report["failure"] is None
    facts = report["facts"]
    assert facts["address"] == "127.0.0.1"
    assert facts["port"] == str(sandbox.tls_port if tls == "SSL/TLS" else sandbox.starttls_port)
    assert facts["auth_mechanism"] == mechanism
    assert facts["tls_version"].startswith("TLSv1.")
    assert facts["cipher"]
    steps = {s["name"]: s for s in report["steps"]}
    assert steps["certificate"]["data"]["ca_check"] == "passed"
    assert steps["certificate"]["data"]["hostname_check"] == "passed"
    assert "localhost" in steps["certificate"]["data"]["sans"]
    assert steps["envelope"]["status"] == "passed"
    assert steps["send"]["status"] == "skipped"
    if tls == "STARTTLS":
        assert "STARTTLS" in steps["ehlo"]["data"]["capabilities"]
        assert any(c.startswith("AUTH ") for c in steps["ehlo_tls"]["data"]["capabilities"])
    assert sandbox.messages == []  # the dry run sends nothing


def test_text_output_is_a_checklist(sandbox, write_config, run_cli):
    write_config(sandbox.config())
    result = run_cli("test", "development/sandbox", "--password-stdin", input="wrong\n")
    assert result.exit_code == 1, repr(result)
    lines = result.stdout.splitlines()
    assert lines[0] == "Connection test of development/sandbox (development)"
    assert any(line.startswith("  ✓ DNS lookup") for line in lines)
    assert any(line.startswith("  ✗ Authentication") for line in lines)
    assert "How to fix:" in result.stdout
    assert lines[-1].startswith("✗ Failed after ")
    assert "Authentication failed – check username and password." in lines[-1]


def test_send_to_delivers_a_message_with_custom_headers(sandbox, write_config, probe):
    write_config(sandbox.config(), custom_headers="X-Campaign: outage-notices\nX-Team: billing")
    _, report = probe("development/sandbox", "--send-to", "ops@example.com", expect=0)
    steps = {s["name"]: s for s in report["steps"]}
    assert "queued as SANDBOX0001" in steps["send"]["detail"]
    assert steps["quit"]["status"] == "passed"
    assert len(sandbox.messages) == 1
    received = sandbox.messages[0]
    assert received.mail_from == "sandbox@example.test"
    assert received.rcpt_tos == ("ops@example.com",)
    assert received.message["X-Campaign"] == "outage-notices"
    assert received.message["X-Team"] == "billing"
    assert received.message[TEST_ID_HEADER] == report["test_id"]


def test_from_address_is_the_envelope_sender(sandbox, write_config, probe):
    write_config(sandbox.config(), from_address="noreply@example.com")
    _, report = probe("development/sandbox", "--send-to", "ops@example.com", expect=0)
    assert sandbox.messages[0].mail_from == "noreply@example.com"
    assert report["facts"]["sender"] == "noreply@example.com"


def test_path_works_like_env_name(sandbox, write_config, probe):
    path = write_config(sandbox.config())
    _, report = probe(str(path), expect=0)
    assert report["config"] == "development/sandbox"
    assert report["environment"] == "development"


def test_every_attempt_is_logged_without_secrets(sandbox, write_config, probe, repo_dir: Path):
    write_config(sandbox.config())
    probe("development/sandbox", expect=0)
    probe("development/sandbox", password="not-the-password", expect=1)
    log = [
        json.loads(line) for line in (repo_dir / ".smtpops/test-log.jsonl").read_text().splitlines()
    ]
    assert [entry["outcome"] for entry in log] == ["passed", "failed"]
    assert log[1]["error"] == "auth.failed" and log[1]["failed_step"] == "auth"
    assert log[0]["config"] == "development/sandbox" and log[0]["environment"] == "development"
    assert set(log[0]["durations_ms"]) >= {"dns", "connect", "tls", "auth", "envelope"}
    events = [
        json.loads(line)["event"]
        for line in (repo_dir / ".smtpops/events.jsonl").read_text().splitlines()
    ]
    assert events == [
        "connection_test_initiated",
        "connection_test_success",
        "connection_test_initiated",
        "connection_test_failure",
    ]
