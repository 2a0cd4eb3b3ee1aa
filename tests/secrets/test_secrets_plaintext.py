"""Plaintext credentials lying next to the configs: files named like a password store, and
`SMTP_PASSWORD=` lines, found by `validate` (top level and configs/) and `secrets check`
(the whole repository); with --require-key, any tracked file that holds a decrypted password.
Findings name the file and line, never the value."""

from __future__ import annotations

import json
import subprocess

import pytest

from smtpops.encryption.scan import credential_file_name
from tests.conftest import CANARY, assert_no_canary


def cred012(run_cli, *args: str) -> tuple[int, set[tuple[str, str]]]:
    result = run_cli(*args, "--format", "json")
    assert_no_canary(result.output)
    found = json.loads(result.stdout)["diagnostics"]
    return result.exit_code, {(d["path"], d["message"]) for d in found if d["rule"] == "CRED012"}


def test_the_readme_password_file_is_found(repo, run_cli) -> None:
    """Following the old README literally left password.txt in the repository root."""
    repo.write("production", "main")
    (repo.root / "password.txt").write_text(CANARY + "\n")
    for command in (("validate",), ("secrets", "check")):
        code, found = cred012(run_cli, *command)
        assert code == 1 and any(path == "password.txt" for path, _ in found), command
        assert any("plaintext password or secrets file" in m for _, m in found)


@pytest.mark.parametrize(
    "name", ["password.txt", "smtp-password", ".env", "prod.env", "secrets.json", ".netrc"]
)
def test_credential_file_names_anywhere_in_the_repository(repo, run_cli, name: str) -> None:
    repo.write("production", "main")
    (repo.root / "deploy").mkdir()
    (repo.root / "deploy" / name).write_text("something\n")
    code, found = cred012(run_cli, "secrets", "check")
    assert code == 1 and {p for p, _ in found} == {f"deploy/{name}"}


@pytest.mark.parametrize(
    "name", ["password.py", "test_secrets.py", ".env.example", "passage.txt", "README.md"]
)
def test_code_and_examples_are_not_credential_files(name: str) -> None:
    assert not credential_file_name(name)


def test_smtp_password_lines_are_found_but_references_are_not(repo, run_cli) -> None:
    repo.write("production", "main")
    (repo.root / "ops").mkdir()
    (repo.root / "ops" / "run.sh").write_text(
        "#!/bin/sh\n"
        'SMTP_PASSWORD="$FROM_VAULT"\n'
        "export SMTP_USER=crm@example.test\n"
        f"export SMTP_PASSWORD={CANARY}\n"
        "MAIL_PASSWORD=${VAULT_VALUE}\n"
    )
    code, found = cred012(run_cli, "secrets", "check")
    assert code == 1
    assert found == {("ops/run.sh", "this line sets a mail password in plain text")}
    text = run_cli("secrets", "check").stdout
    assert "ops/run.sh:4" in text
    assert_no_canary(text)


def test_an_encrypted_secrets_file_is_not_plaintext(repo, run_cli) -> None:
    main = repo.write("production", "main")
    run_cli("secrets", "set-password", repo.rel(main), "--password-stdin", input=CANARY, expect=0)
    (repo.root / "secrets.yaml").write_text(main.read_text())  # sops-encrypted content
    code, found = cred012(run_cli, "secrets", "check")
    assert code == 0 and not any(p == "secrets.yaml" for p, _ in found)


def test_require_key_finds_a_tracked_copy_of_a_decrypted_password(
    repo, run_cli, monkeypatch
) -> None:
    path = repo.write("production", "main")
    run_cli("secrets", "set-password", repo.rel(path), "--password-stdin", input=CANARY, expect=0)
    (repo.root / "notes.md").write_text(f"# Runbook\n\nThe SMTP login is crm / {CANARY}\n")
    subprocess.run(["git", "add", "-A"], cwd=repo.root, check=True)
    repo.use_key(monkeypatch, "production")
    code, found = cred012(run_cli, "secrets", "check")
    assert not any(p == "notes.md" for p, _ in found)  # without --require-key: not looked for
    code, found = cred012(run_cli, "secrets", "check", "--require-key")
    assert code == 1
    assert ("notes.md", "this file holds a decrypted password of this repository") in found
    text = run_cli("secrets", "check", "--require-key").stdout
    assert "notes.md:3" in text
    assert_no_canary(text)
    subprocess.run(["git", "rm", "-q", "--cached", "notes.md"], cwd=repo.root, check=True)
    (repo.root / "notes.md").unlink()
    run_cli("secrets", "check", "--require-key", expect=0)


def test_a_file_over_1_mib_is_scanned_whole(repo, run_cli) -> None:
    """A leak in a big file (a 10 MB log dump) was passed silently: files over 1 MiB were looked
    at by name only. Now they are scanned whole; validate (top level) and secrets check find
    the password line and the age key, by file and line, and a clean big file passes."""
    import time

    from smtpops.encryption import scan

    main = repo.write("production", "main")
    run_cli("secrets", "set-password", repo.rel(main), "--password-stdin", input=CANARY, expect=0)
    filler = "2026-01-01 12:00:00 crm mailer: sent message to customer@example.test\n"
    count = 10_000_000 // len(filler)
    (repo.root / "dump.log").write_text(
        filler * count + f"SMTP_PASSWORD={CANARY}\n" + filler, encoding="utf-8"
    )
    (repo.root / "ops").mkdir()
    key = "AGE-SECRET-KEY-1" + "Q" * 58
    (repo.root / "ops" / "notes.txt").write_text(filler * 20_000 + key + "\n", encoding="utf-8")
    assert (repo.root / "dump.log").stat().st_size > 9 * scan.MAX_BYTES  # about 10 MB
    started = time.monotonic()
    code, found = cred012(run_cli, "secrets", "check")
    elapsed = time.monotonic() - started
    assert code == 1
    assert ("dump.log", "this line sets a mail password in plain text") in found
    assert ("ops/notes.txt", "this file holds an age private key") in found
    assert elapsed < 30, elapsed  # a generous bound: the budget test asserts linear growth
    result = run_cli("secrets", "check", "--format", "json")
    lines = {d["path"]: d["line"] for d in json.loads(result.stdout)["diagnostics"]}
    assert lines["dump.log"] == count + 1 and lines["ops/notes.txt"] == 20_001
    code, top = cred012(run_cli, "validate")
    assert code == 1 and ("dump.log", "this line sets a mail password in plain text") in top
    (repo.root / "dump.log").write_text(filler * count, encoding="utf-8")
    (repo.root / "ops" / "notes.txt").unlink()
    code, found = cred012(run_cli, "secrets", "check")
    assert code == 0 and not found, found
