"""Shared fixtures: the CLI runner, guards that make mistakes loud, and a canary password."""

from __future__ import annotations

import ipaddress
import os
import shutil
import socket
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from smtpops import engine
from smtpops.cli import cli

_SESSION_CACHE = pytest.StashKey[str]()


def pytest_configure(config: pytest.Config) -> None:
    """Keep what modules do while they are collected (``catalog()`` at import time writes
    the providers' parsed copy) out of the real home: a cache folder of this session's own."""
    folder = tempfile.mkdtemp(prefix="smtpops-test-cache-")
    config.stash[_SESSION_CACHE] = folder
    os.environ["XDG_CACHE_HOME"] = folder


def pytest_unconfigure(config: pytest.Config) -> None:
    shutil.rmtree(config.stash.get(_SESSION_CACHE, ""), ignore_errors=True)


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


class NetworkGuard:
    """Refuses every way a test could reach past loopback: TCP connect (also what
    ``create_connection`` and asyncio end in), UDP ``sendto`` (dnspython's queries), and name
    lookups (``getaddrinfo`` and the ``gethostby*`` family, which ask the system's DNS).

    A refusal raises AssertionError where it happens and is also recorded, so a test whose
    code swallows the error still fails at teardown."""

    LOCAL_NAMES = frozenset({"localhost", "localhost.", "ip6-localhost", "ip6-loopback"})

    def __init__(self) -> None:
        self.violations: list[str] = []

    @classmethod
    def is_loopback(cls, host: object) -> bool:
        if host is None:
            return True  # getaddrinfo(None, port): the wildcard address for a server to bind
        if isinstance(host, bytes):
            host = host.decode("ascii", "replace")
        text = str(host).strip("[]").split("%")[0].lower()
        if text in cls.LOCAL_NAMES or text.endswith(".localhost"):
            return True
        try:
            address = ipaddress.ip_address(text)
        except ValueError:
            return False  # any other name: looking it up would ask a DNS server
        mapped = getattr(address, "ipv4_mapped", None)
        return bool(
            address.is_loopback or address.is_unspecified or (mapped and mapped.is_loopback)
        )

    def check(self, what: str, host: object) -> None:
        if not self.is_loopback(host):
            message = f"test tried to reach a non-loopback address: {host} ({what})"
            self.violations.append(message)
            raise AssertionError(message)

    def check_address(self, what: str, address: object) -> None:
        if isinstance(address, tuple) and address:  # AF_UNIX paths (str/bytes) stay local
            self.check(what, address[0])

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        real_connect = socket.socket.connect
        real_connect_ex = socket.socket.connect_ex
        real_sendto = socket.socket.sendto
        real_getaddrinfo = socket.getaddrinfo
        guard = self

        def connect(sock: socket.socket, address: Any) -> None:
            guard.check_address("connect", address)
            return real_connect(sock, address)

        def connect_ex(sock: socket.socket, address: Any) -> int:
            guard.check_address("connect_ex", address)
            return real_connect_ex(sock, address)

        def sendto(sock: socket.socket, data: Any, *args: Any) -> int:
            guard.check_address("sendto", args[-1] if args else None)
            return real_sendto(sock, data, *args)  # type: ignore[call-overload,no-any-return]

        def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
            guard.check("getaddrinfo", host)
            return real_getaddrinfo(host, *args, **kwargs)

        def lookup(name: str) -> Callable[..., Any]:
            real = getattr(socket, name)

            def checked(host: Any, *args: Any) -> Any:
                guard.check(name, host)
                return real(host, *args)

            return checked

        monkeypatch.setattr(socket.socket, "connect", connect)
        monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
        monkeypatch.setattr(socket.socket, "sendto", sendto)
        monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
        for name in ("gethostbyname", "gethostbyname_ex", "gethostbyaddr"):
            monkeypatch.setattr(socket, name, lookup(name))


@pytest.fixture
def network_guard(_guards: NetworkGuard) -> NetworkGuard:
    """The running test's guard (to inspect, or clear after provoking it on purpose)."""
    return _guards


@pytest.fixture(autouse=True)
def _guards(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[NetworkGuard]:
    """No network beyond loopback; no writes to the real home directory."""
    guard = NetworkGuard()
    guard.install(monkeypatch)
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))  # the providers' parsed copy
    monkeypatch.delenv("SOPS_AGE_KEY", raising=False)
    monkeypatch.delenv("SOPS_AGE_KEY_FILE", raising=False)
    monkeypatch.setenv("NO_COLOR", "1")
    yield guard
    assert not guard.violations, "the test reached past loopback: " + "; ".join(guard.violations)


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


@pytest.fixture
def runs(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, ...]]:
    """The validation runs the engine really did (one the validation cache answers does
    none): the paths of each."""
    done: list[tuple[str, ...]] = []
    real = engine.validate_recorded

    def counted(paths: tuple[str, ...], options: object = None, **kwargs):  # type: ignore[no-untyped-def]
        done.append(paths)
        return real(paths, options, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(engine, "validate_recorded", counted)
    return done
