"""A sops run started ahead (``smtpops test`` starts sops as soon as it knows the file):
the decryption that asks for exactly that command takes it, with the same checks and the
same answer; a run nobody takes is ended, never left behind."""

from __future__ import annotations

import os

from smtpops.encryption import decrypt_for_sending, runner, set_password
from smtpops.secret import Secret

CANARY = "ahead-canary-Pw-8311"


def _started(monkeypatch) -> list[object]:  # type: ignore[no-untyped-def]
    made: list[object] = []
    real = runner._popen

    def recording(argv, cwd):  # type: ignore[no-untyped-def]
        proc = real(argv, cwd)
        made.append(proc)
        return proc

    monkeypatch.setattr(runner, "_popen", recording)
    return made


def test_the_decryption_takes_the_run_started_ahead(repo, monkeypatch, sops_calls) -> None:
    path = repo.write("production", "main")
    repo.use_key(monkeypatch, "production")
    set_password(str(path), Secret(CANARY))
    started = _started(monkeypatch)
    sops_calls.clear()
    with runner.decrypt_ahead(str(path)):
        assert len(started) == 1  # running before anyone asked
        assert decrypt_for_sending(str(path)).reveal() == CANARY
    assert len(started) == 1, "the decryption started a second sops"
    assert [c.argv[1:] for c in sops_calls] == [runner.decrypt_args(str(path), *runner.AS_JSON)]
    assert all(CANARY not in " ".join(c.argv) for c in sops_calls)


def test_a_run_nobody_takes_is_ended_and_reaped(repo, monkeypatch) -> None:
    path = repo.write("production", "main")
    repo.use_key(monkeypatch, "production")
    set_password(str(path), Secret(CANARY))
    started = _started(monkeypatch)
    with runner.decrypt_ahead(str(path)):
        pass
    (proc,) = started
    assert proc.returncode is not None  # type: ignore[attr-defined]
    # outside the block a decryption starts its own sops
    assert decrypt_for_sending(str(path)).reveal() == CANARY
    assert len(started) == 2


def test_another_file_does_not_take_it(repo, monkeypatch) -> None:
    first, second = repo.write("production", "one"), repo.write("production", "two")
    repo.use_key(monkeypatch, "production")
    set_password(str(first), Secret(CANARY))
    set_password(str(second), Secret("other-" + CANARY))
    started = _started(monkeypatch)
    with runner.decrypt_ahead(str(first)):
        assert decrypt_for_sending(str(second)).reveal() == "other-" + CANARY
        assert len(started) == 2
        assert decrypt_for_sending(str(first)).reveal() == CANARY
        assert len(started) == 2
    assert os.path.exists(first)


def test_the_checks_before_sops_still_refuse(repo, monkeypatch) -> None:
    """A password stored in plain text is refused as before, and the run is ended."""
    text = "name: main\nhost: smtp.example.com\npassword: " + CANARY + "\n"
    path = repo.write("production", "main", text)
    repo.use_key(monkeypatch, "production")
    started = _started(monkeypatch)
    try:
        with runner.decrypt_ahead(str(path)):
            decrypt_for_sending(str(path))
    except Exception as exc:  # EncryptionError, its message for the user
        assert "plain text" in str(exc) and CANARY not in str(exc)
    else:
        raise AssertionError("a plain-text password was decrypted")
    assert all(p.returncode is not None for p in started)  # type: ignore[attr-defined]
