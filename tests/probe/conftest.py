"""Real servers on loopback for the connection test: the aiosmtpd sandbox (STARTTLS, implicit
TLS, trustme certificates), scripted raw-socket servers that misbehave, a dnspython DNS server,
and a listening socket whose backlog is full (a connect that times out, offline)."""

from __future__ import annotations

import contextlib
import json
import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from smtpops.probe.sandbox import Sandbox
from smtpops.rules.examples import BASE
from tests.conftest import CANARY, assert_no_canary
from tests.tooling import missing

FAST = "0.5"  # --wait-timeout for servers that are meant to stay silent


@pytest.fixture
def make_sandbox() -> Iterator[Callable[..., Sandbox]]:
    started: list[Sandbox] = []

    def make(**kwargs: Any) -> Sandbox:
        kwargs.setdefault("password", CANARY)
        box = Sandbox(**kwargs).start()
        started.append(box)
        return box

    yield make
    for box in started:
        box.stop()


@pytest.fixture
def sandbox(make_sandbox: Callable[..., Sandbox]) -> Sandbox:
    return make_sandbox()


@pytest.fixture
def write_config(repo_dir: Path) -> Callable[..., Path]:
    """Write ``configs/<env>/<name>.yaml``: the rule docs' valid base (a real sops-encrypted
    password) with the given fields laid over it; a value of None removes the field."""

    def write(
        base: dict[str, Any] | None = None, /, *, env: str = "development", **fields: Any
    ) -> Path:
        fields = (base or {}) | fields
        data = yaml.safe_load(BASE)
        ca_file = fields.get("ca_file")
        if ca_file and Path(ca_file).is_absolute() and Path(ca_file).exists():
            (repo_dir / "certs").mkdir(exist_ok=True)  # a CA file kept in the repository
            copy = (
                repo_dir
                / "certs"
                / f"{data.get('name', 'ca')}-{len(list((repo_dir / 'certs').iterdir()))}.pem"
            )
            copy.write_bytes(Path(ca_file).read_bytes())
            fields["ca_file"] = str(copy.relative_to(repo_dir))
        for key, value in fields.items():
            if value is None:
                data.pop(key, None)
            else:
                data[key] = value
        folder = repo_dir / "configs" / env
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{data['name']}.yaml"
        path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
        return path

    return write


@pytest.fixture
def probe(run_cli: Any, repo_dir: Path) -> Callable[..., tuple[Any, dict[str, Any]]]:
    """Run ``smtpops test CONFIG --format json`` with the password on stdin; check that the
    password appears in no output and no log; return (result, parsed JSON)."""

    def run(
        config: str, *args: str, password: str = CANARY, expect: int | None = None, wait: str = "2"
    ) -> tuple[Any, dict[str, Any]]:
        result = run_cli(
            "test",
            config,
            "--password-stdin",
            "--format",
            "json",
            "--wait-timeout",
            wait,
            *args,
            input=password + "\n",
        )
        assert_no_canary(result.stdout, result.stderr)
        for log in (p for p in (repo_dir / ".smtpops").rglob("*") if p.is_file()):
            assert_no_canary(log.read_text(encoding="utf-8"))
        if expect is not None:
            assert result.exit_code == expect, repr(result)
        return result, json.loads(result.stdout) if result.stdout.strip() else {}

    return run


class RawServer:
    """A TCP server on loopback that runs ``script(conn, stop)`` for each connection."""

    def __init__(self, script: Callable[[socket.socket, threading.Event], None]) -> None:
        self.script = script
        self.stop_event = threading.Event()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.1)
        self.port = self.listener.getsockname()[1]
        self.connections: list[socket.socket] = []
        self.threads: list[threading.Thread] = []
        self.accepted = 0
        self.acceptor = threading.Thread(target=self._accept, daemon=True)
        self.acceptor.start()

    def _accept(self) -> None:
        while not self.stop_event.is_set():
            try:
                conn, _ = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.accepted += 1
            conn.settimeout(5)
            self.connections.append(conn)
            thread = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            self.threads.append(thread)
            thread.start()

    def _serve(self, conn: socket.socket) -> None:
        with contextlib.suppress(OSError):
            self.script(conn, self.stop_event)

    def close(self) -> None:
        self.stop_event.set()
        self.acceptor.join(2)
        self.listener.close()
        for conn in self.connections:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        for thread in self.threads:
            thread.join(2)
        for conn in self.connections:
            conn.close()


def read_line(conn: socket.socket) -> bytes:
    data = b""
    while not data.endswith(b"\n"):
        chunk = conn.recv(1)
        if not chunk:
            break
        data += chunk
    return data


@pytest.fixture
def raw_server() -> Iterator[Callable[..., RawServer]]:
    servers: list[RawServer] = []

    def make(script: Callable[[socket.socket, threading.Event], None]) -> RawServer:
        server = RawServer(script)
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.close()


class DnsServer:
    """A UDP DNS server on loopback built with dnspython: ``records`` maps a name to
    [(type, value)]; other names get NXDOMAIN; ``silent`` never answers."""

    def __init__(self, records: dict[str, list[tuple[str, str]]], silent: bool = False) -> None:
        self.records = {k.lower().rstrip("."): v for k, v in records.items()}
        self.silent = silent
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.05)
        self.port = self.sock.getsockname()[1]
        self.queries: list[str] = []
        self.stop_event = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def _serve(self) -> None:
        import dns.message
        import dns.rcode
        import dns.rdatatype
        import dns.rrset

        while not self.stop_event.is_set():
            try:
                wire, peer = self.sock.recvfrom(4096)
            except TimeoutError:
                continue
            except OSError:
                return
            query = dns.message.from_wire(wire)
            question = query.question[0]
            name = question.name.to_text(omit_final_dot=True).lower()
            self.queries.append(f"{name}/{dns.rdatatype.to_text(question.rdtype)}")
            if self.silent:
                continue
            response = dns.message.make_response(query)
            if name not in self.records:
                response.set_rcode(dns.rcode.NXDOMAIN)
            else:
                wanted = dns.rdatatype.to_text(question.rdtype)
                values = [v for t, v in self.records[name] if t == wanted]
                if values:
                    response.answer.append(
                        dns.rrset.from_text_list(question.name, 60, "IN", wanted, values)
                    )
            self.sock.sendto(response.to_wire(), peer)

    def close(self) -> None:
        self.stop_event.set()
        self.thread.join(2)
        self.sock.close()


@pytest.fixture
def dns_server() -> Iterator[Callable[..., DnsServer]]:
    servers: list[DnsServer] = []

    def make(
        records: dict[str, list[tuple[str, str]]] | None = None, silent: bool = False
    ) -> DnsServer:
        server = DnsServer(records or {}, silent)
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.close()


@pytest.fixture
def full_backlog() -> Iterator[int]:
    """A port whose listen backlog is full: the next connect is silently dropped (times out)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    held: list[socket.socket] = []
    for _ in range(16):
        client = socket.socket()
        client.settimeout(0.2)
        try:
            client.connect(("127.0.0.1", port))
        except TimeoutError:
            client.close()
            break
        held.append(client)
    else:
        missing(
            "this kernel accepted 16 connections on a listen backlog of 0, so a silently "
            "dropped connection (a firewall) cannot be imitated on loopback"
        )
    yield port
    for client in held:
        client.close()
    listener.close()


@pytest.fixture
def closed_port() -> int:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return port
