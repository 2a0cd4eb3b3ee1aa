"""The CLI boundary (smtpops/cli/boundary.py): a known error is its message, hint and exit
code; an unexpected one is one line (exit 70) that holds nothing of the exception's text;
``--debug`` lets the traceback through; Ctrl-C is "Interrupted." with exit 130."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import click
import pytest

from smtpops.errors import InputError
from tests.conftest import CANARY, RunCli, assert_no_canary
from tests.processes import wait_until_reading


def _failing(monkeypatch: pytest.MonkeyPatch, error: BaseException) -> None:
    """Make `smtpops explode` a command that raises ``error`` (through the real group)."""
    from smtpops.cli import LazyGroup

    @click.command()
    def explode() -> None:
        raise error

    real = LazyGroup.get_command

    def get_command(self: LazyGroup, ctx: click.Context, name: str) -> click.Command | None:
        return explode if name == "explode" else real(self, ctx, name)

    monkeypatch.setattr(LazyGroup, "get_command", get_command)


UNEXPECTED = RuntimeError(f"unexpected, with a secret in its text: {CANARY}")


def test_an_unexpected_error_is_one_line_without_its_text(
    run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    _failing(monkeypatch, UNEXPECTED)
    result = run_cli("explode", expect=70)
    assert result.stderr == (
        "smtpops: internal error (RuntimeError); rerun with --debug for details\n"
    )
    assert result.stdout == "" and "Traceback" not in result.output
    assert_no_canary(result.output)


def test_debug_lets_the_traceback_through(run_cli: RunCli, monkeypatch: pytest.MonkeyPatch) -> None:
    _failing(monkeypatch, UNEXPECTED)
    with pytest.raises(RuntimeError, match="unexpected"):
        run_cli("--debug", "explode")


def test_debug_shows_a_traceback_in_a_real_process(tmp_path) -> None:
    """Without monkeypatching: a command module that cannot be imported is an internal error."""
    runner = (
        "import sys, smtpops.cli as c\n"
        "c.COMMANDS['broken'] = 'nonexistent_module:cmd'\n"
        "c.main(sys.argv[1:])\n"
    )
    plain = subprocess.run(
        [sys.executable, "-c", runner, "broken"], capture_output=True, text=True, cwd=tmp_path
    )
    debug = subprocess.run(
        [sys.executable, "-c", runner, "--debug", "broken"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert plain.returncode == 70 and "Traceback" not in plain.stderr, plain.stderr
    assert "internal error (ModuleNotFoundError)" in plain.stderr
    assert "Traceback" in debug.stderr and "ModuleNotFoundError" in debug.stderr, debug.stderr
    assert debug.returncode != 0


def test_a_known_error_is_its_message_hint_and_exit_code(
    run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    _failing(monkeypatch, InputError("providers/ cannot be read", hint="Reinstall smtpops."))
    result = run_cli("explode", expect=2)
    assert result.stderr == "Error: providers/ cannot be read\n  How to fix: Reinstall smtpops.\n"


def test_ctrl_c_is_interrupted_with_exit_130(tmp_path) -> None:
    """A real SIGINT while a command waits (here: for a password on standard input)."""
    (tmp_path / "configs" / "development").mkdir(parents=True)
    (tmp_path / "configs" / "development" / "a.yaml").write_text("name: a\n")
    proc = subprocess.Popen(
        [sys.executable, "-m", "smtpops", "test", "development/a", "--password-stdin"],
        cwd=tmp_path,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "NO_COLOR": "1"},
    )
    try:
        assert proc.stdin is not None
        proc.stdin.write(CANARY[:5])  # part of a line: the command is inside readline()
        proc.stdin.flush()
        wait_until_reading(proc.pid)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 130, (out, err)
    assert err == "Interrupted.\n" and "Traceback" not in out + err
