"""The canary password never reaches a command line, a temporary file, the repository, the
output or an error text; it travels to sops only through a pipe."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

from smtpops.encryption import keys as age_keys
from tests.conftest import CANARY, assert_no_canary


def _all_text_under(folder: Path) -> str:
    texts = []
    for path in folder.rglob("*"):
        if path.is_file() and ".git" not in path.parts:
            texts.append(path.read_bytes().decode("utf-8", "replace"))
    return "\n".join(texts)


def test_argv_of_every_sops_call_is_free_of_the_password(
    repo, run_cli, sops_calls, monkeypatch, make_key
) -> None:
    paths = [repo.write("production", n) for n in ("main", "backup")]
    for path in paths:
        run_cli(
            "secrets", "set-password", repo.rel(path), "--password-stdin", input=CANARY, expect=0
        )
    repo.use_key(monkeypatch, "production")
    run_cli("secrets", "check", "--require-key", expect=0)
    newcomer = make_key("newcomer")
    run_cli("keys", "add", "--env", "production", newcomer.recipient, expect=0)
    run_cli("secrets", "updatekeys", "--env", "production", expect=0)
    run_cli("secrets", "rotate", "--env", "production", expect=0)

    verbs = [
        next(a for a in c.argv[1:] if not a.startswith("-") and "/" not in a) for c in sops_calls
    ]
    assert verbs.count("encrypt") == 2 and "decrypt" in verbs
    assert "updatekeys" in verbs and "rotate" in verbs
    for call in sops_calls:
        assert_no_canary(" ".join(call.argv))
        assert call.returncode == 0, call.argv
    encrypt_inputs = [c.stdin for c in sops_calls if "encrypt" in c.argv]
    assert all(CANARY.encode() in data for data in encrypt_inputs), (
        "the password goes through stdin"
    )
    assert not any(CANARY.encode() in c.stdin for c in sops_calls if "encrypt" not in c.argv)
    assert_no_canary(_all_text_under(repo.root))


def test_process_command_lines_and_temp_files_hold_no_password(
    repo, sops_shim, tmp_path_factory
) -> None:
    """Through a real subprocess: a shim logs each sops command line as the OS reports it."""
    shim, log = sops_shim
    tmp = tmp_path_factory.mktemp("tmpdir")
    path = repo.write("production", "main")
    env = {
        **os.environ,
        "SMTPOPS_SOPS": str(shim),
        "TMPDIR": str(tmp),
        "SOPS_AGE_KEY_FILE": repo.keys["production"].key_file,
    }

    def smtpops(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "smtpops", *args],
            input=stdin,
            text=True,
            capture_output=True,
            env=env,
            timeout=60,
            check=False,
        )

    results = [
        smtpops("secrets", "set-password", repo.rel(path), "--password-stdin", stdin=CANARY + "\n"),
        smtpops("secrets", "check", "--require-key"),
        smtpops("secrets", "rotate", repo.rel(path)),
    ]
    for result in results:
        assert result.returncode == 0, (result.stdout, result.stderr)
        assert_no_canary(result.stdout, result.stderr)
    logged = log.read_text()
    assert logged.count("\n") == 3 and " encrypt " in logged and " decrypt " in logged, logged
    assert_no_canary(logged)
    assert_no_canary(_all_text_under(tmp), _all_text_under(repo.root))


def test_sops_error_text_is_scrubbed(repo, run_cli, tmp_path_factory, monkeypatch) -> None:
    """A sops that fails and repeats its input in its error text: smtpops masks the password."""
    fake = tmp_path_factory.mktemp("fake") / "sops"
    fake.write_text("#!/bin/sh\ngrep '^password:' >&2\nexit 1\n")
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("SMTPOPS_SOPS", str(fake))
    path = repo.write("production", "main")
    result = run_cli(
        "secrets", "set-password", repo.rel(path), "--password-stdin", input=CANARY, expect=1
    )
    assert 'sops failed (exit 1): password: "********"' in result.stderr
    assert_no_canary(result.stdout, result.stderr, path.read_text())


def test_a_pasted_private_key_is_not_echoed(repo, run_cli) -> None:
    secret = repo.keys["production"].identity
    result = run_cli("keys", "add", "--env", "production", secret, expect=2)
    assert "private key" in result.stderr
    assert secret not in result.output and secret not in (repo.root / ".sops.yaml").read_text()


def test_missing_sops_override_is_a_clear_error(repo, run_cli, monkeypatch) -> None:
    monkeypatch.setenv("SMTPOPS_SOPS", str(repo.root / "no-such-sops"))
    path = repo.write("production", "main")
    result = run_cli(
        "secrets", "set-password", repo.rel(path), "--password-stdin", input=CANARY, expect=1
    )
    assert "SMTPOPS_SOPS" in result.stderr and "Traceback" not in result.output


def test_key_files_are_private(make_key) -> None:
    key = make_key("someone")
    assert stat.S_IMODE(os.stat(key.key_file).st_mode) == 0o600
    assert age_keys.identities_recipients([Path(key.key_file).read_text()]) == {key.recipient}


def test_yaml_escaped_form_is_scrubbed_too(repo, run_cli, tmp_path_factory, monkeypatch) -> None:
    fake = tmp_path_factory.mktemp("fake") / "sops"
    fake.write_text("#!/bin/sh\ngrep '^password:' >&2\nexit 1\n")
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("SMTPOPS_SOPS", str(fake))
    password = 'Split"' + CANARY + "\\end"
    path = repo.write("production", "main")
    result = run_cli(
        "secrets", "set-password", repo.rel(path), "--password-stdin", input=password, expect=1
    )
    assert 'password: "********"' in result.stderr
    assert_no_canary(result.output)
    assert "Split" not in result.output and "end" not in result.stderr.split("How to fix")[0][-20:]
