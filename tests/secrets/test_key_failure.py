"""A damaged age entry with the right key present is reported as what it is (the entry does
not open with your key), not as "no key on this machine": by `secrets check` (exit 1),
`test` and `deploy`."""

from __future__ import annotations

import json
import re
import subprocess

import pytest

from smtpops.encryption import set_password
from smtpops.secret import Secret
from tests.conftest import CANARY, assert_no_canary

DAMAGED = "does not open with your key"


def _damage_stanza(text: str) -> str:
    """Change one base64 character inside the age entry's body (after its header lines), so
    the entry stays well-formed for the keyless checks but no longer decrypts."""
    match = re.search(r"-----BEGIN AGE ENCRYPTED FILE-----\n((?:\s+\S+\n)+?)\s+-----END", text)
    assert match
    lines = match[1].splitlines(keepends=True)
    line = lines[-2]  # the payload, past the X25519 header
    i = len(line) - len(line.lstrip()) + 10
    new = "A" if line[i] != "A" else "B"
    lines[-2] = line[:i] + new + line[i + 1 :]
    return text[: match.start(1)] + "".join(lines) + text[match.end(1) :]


@pytest.fixture
def damaged(repo, monkeypatch):
    path = repo.write("production", "main")
    set_password(str(path), Secret(CANARY))
    path.write_text(_damage_stanza(path.read_text()))
    repo.use_key(monkeypatch, "production")
    return path


def test_secrets_check_reports_the_damaged_entry(damaged, run_cli) -> None:
    keyless = run_cli("validate", "--format", "json", expect=0)
    assert not json.loads(keyless.stdout)["diagnostics"]  # well-formed without a key
    result = run_cli("secrets", "check")
    assert_no_canary(result.output)
    assert result.exit_code == 1, repr(result)
    assert "skipped, no key" not in result.stdout
    assert DAMAGED in result.stdout


def test_secrets_check_json_says_failed(damaged, run_cli) -> None:
    result = run_cli("secrets", "check", "--format", "json", expect=1)
    (entry,) = json.loads(result.stdout)["decryption"]
    assert entry["status"] == "failed" and DAMAGED in entry["message"]


def test_test_command_reports_the_damaged_entry(damaged, run_cli) -> None:
    result = run_cli("test", "production/main")
    assert result.exit_code == 1, repr(result)
    assert "no age key found" not in result.stderr
    assert DAMAGED in result.stderr


def test_deploy_reports_the_damaged_entry(damaged, run_cli, repo) -> None:
    root = repo.root
    for args in (("config", "user.name", "A"), ("config", "user.email", "a@example.test")):
        subprocess.run(["git", "-C", str(root), *args], check=True)
    subprocess.run(["git", "-C", str(root), "add", "-A"], check=True)
    subprocess.run(["git", "-C", str(root), "commit", "-qm", "add"], check=True)
    result = run_cli("deploy", "production/main")
    assert result.exit_code == 1, repr(result)
    assert "no age key found" not in result.stderr and DAMAGED in result.stderr


def test_without_the_key_it_is_still_skipped(repo, run_cli, monkeypatch) -> None:
    path = repo.write("production", "main")
    set_password(str(path), Secret(CANARY))
    path.write_text(_damage_stanza(path.read_text()))
    repo.use_key(monkeypatch, "staging")  # a key, but not one this file lists
    result = run_cli("secrets", "check", expect=0)
    assert "skipped, no key for this environment" in result.stdout
