"""Shared fixtures: the CLI runner, guards that make mistakes loud, and a canary password."""

from __future__ import annotations

import os
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from smtpops.cli import cli

CANARY = "Canary-Pw-7f3c9e2a!xyzzy"  # must never appear in any output, log, file or commit


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def __repr__(self) -> str:
        return (
            f"exit={self.exit_code}\n--- stdout ---\n{self.stdout}\n--- stderr ---\n{self.stderr}"
        )


RunCli = Callable[..., Result]


@pytest.fixture
def run_cli() -> RunCli:
    """Run ``smtpops ARGS`` in-process; stderr kept apart from stdout."""

    def run(
        *args: str,
        input: str | None = None,
        env: dict[str, str] | None = None,
        expect: int | None = None,
    ) -> Result:
        runner = CliRunner()
        res = runner.invoke(cli, list(args), input=input, env=env, catch_exceptions=False)
        result = Result(res.exit_code, res.stdout, res.stderr)
        if expect is not None:
            assert result.exit_code == expect, repr(result)
        return result

    return run


_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex


def _loopback_only(address: object) -> None:
    if isinstance(address, tuple) and address:
        host = str(address[0])
        if not (host.startswith("127.") or host in ("::1", "localhost", "0.0.0.0", "::")):
            raise AssertionError(f"test tried to reach a non-loopback address: {host}")


@pytest.fixture(autouse=True)
def _guards(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[None]:
    """No network beyond loopback; no writes to the real home directory."""

    def connect(self: socket.socket, address: object) -> None:
        _loopback_only(address)
        return _real_connect(self, address)  # type: ignore[arg-type]

    def connect_ex(self: socket.socket, address: object) -> int:
        _loopback_only(address)
        return _real_connect_ex(self, address)  # type: ignore[arg-type]

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.delenv("SOPS_AGE_KEY", raising=False)
    monkeypatch.delenv("SOPS_AGE_KEY_FILE", raising=False)
    monkeypatch.setenv("NO_COLOR", "1")
    yield


@pytest.fixture
def connects(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Every address a socket tries to connect to (on top of the loopback-only guard)."""
    seen: list[object] = []
    guarded = socket.socket.connect

    def record(self: socket.socket, address: object) -> None:
        seen.append(address)
        return guarded(self, address)  # type: ignore[arg-type]

    monkeypatch.setattr(socket.socket, "connect", record)
    return seen


@pytest.fixture
def repo_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty project folder with configs/ (the working directory during the test)."""
    (tmp_path / "configs").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


def assert_no_canary(*texts: str) -> None:
    for text in texts:
        assert CANARY not in text, "the canary password leaked"


SHARED = Path(__file__).resolve().parents[2] / "shared"
if not SHARED.is_dir():
    SHARED = Path(os.environ.get("SMTPOPS_SHARED", "/nonexistent"))
