"""Units where the logic is dense: reply parsing under bounds, host name matching, DNS server
syntax, the test message's dot-stuffing, the overall time cap, password scrubbing."""

from __future__ import annotations

import socket
import threading
import time

import pytest

from smtpops.errors import UsageError
from smtpops.model import Config
from smtpops.probe import ProbeOptions, run_probe
from smtpops.probe.message import build
from smtpops.probe.resolve import hosts_file_lookup, parse_nameservers
from smtpops.probe.session import MAX_LINE, ReadError, Session
from smtpops.probe.tls import Certificate, hostname_matches
from smtpops.secret import Secret
from tests.conftest import CANARY


def session_with(data: bytes, timeout: float = 0.3) -> tuple[Session, socket.socket]:
    ours, theirs = socket.socketpair()
    theirs.sendall(data)
    return Session(ours, lambda: timeout), theirs


def test_multiline_reply_and_enhanced_code():
    session, other = session_with(
        b"250-mail.example.com\r\n250-SIZE 100\r\n250 AUTH LOGIN\r\n535 5.7.8 Bad credentials\r\n"
    )
    try:
        reply = session.read_reply()
        assert (reply.code, reply.lines) == (250, ("mail.example.com", "SIZE 100", "AUTH LOGIN"))
        reply = session.read_reply()
        assert (reply.code, reply.enhanced, reply.text) == (535, "5.7.8", "5.7.8 Bad credentials")
    finally:
        session.close()
        other.close()


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"", "timeout"),
        (b"220 half a line", "slow"),
        (b"220-first\r\n", "slow"),
        (b"HTTP/1.1 400 Bad Request\r\n", "garbage"),
        (b"X" * (MAX_LINE + 10), "too_long"),
        (b"250-x\r\n" * 200, "too_long"),
    ],
)
def test_reply_read_errors(data, kind):
    session, other = session_with(data, timeout=0.2)
    try:
        with pytest.raises(ReadError) as caught:
            session.read_reply()
        assert caught.value.kind == kind
    finally:
        session.close()
        other.close()


def test_closed_connection():
    session, other = session_with(b"")
    other.close()
    with pytest.raises(ReadError) as caught:
        session.read_reply()
    assert caught.value.kind == "closed"
    session.close()


CERT = Certificate(
    subject="CN=x",
    issuer="CN=ca",
    dns_names=("mail.example.com", "*.corp.example"),
    ip_addresses=("192.0.2.7", "2001:db8::1"),
    not_after="2030-01-01",
    days_left=9,
)


@pytest.mark.parametrize(
    ("host", "ok"),
    [
        ("mail.example.com", True),
        ("MAIL.Example.com.", True),
        ("smtp.corp.example", True),
        ("a.b.corp.example", False),
        ("corp.example", False),
        ("example.com", False),
        ("192.0.2.7", True),
        ("[2001:db8::1]", True),
        ("192.0.2.8", False),
    ],
)
def test_hostname_matching(host, ok):
    assert hostname_matches(host, CERT) is ok


def test_nameserver_syntax():
    assert parse_nameservers("127.0.0.1:5353, ::1 [::1]:54 192.0.2.1") == (
        ("127.0.0.1", 5353),
        ("::1", 53),
        ("::1", 54),
        ("192.0.2.1", 53),
    )
    for bad in ("dns.example.com", "127.0.0.1:0", "127.0.0.1:99999", "[::1"):
        with pytest.raises(UsageError):
            parse_nameservers(bad)


def test_hosts_file(tmp_path):
    hosts = tmp_path / "hosts"
    hosts.write_text(
        "127.0.0.1 localhost\n10.1.2.3 exchange.corp exchange # on-prem\n"
        "fe80::1%eth0 exchange\n# 10.9.9.9 exchange\n"
    )
    assert hosts_file_lookup("EXCHANGE", str(hosts)) == ("10.1.2.3", "fe80::1")
    assert hosts_file_lookup("missing", str(hosts)) == ()
    assert hosts_file_lookup("app.localhost", str(hosts)) == ("127.0.0.1", "::1")


def test_message_is_dot_stuffed_and_terminated():
    config = Config.from_raw(
        {"name": "x", "host": "h", "username": "a@example.com", "custom_headers": "X-Tag: .dotted"}
    )
    wire = build(config, "b@example.com", "abc123")
    assert wire.endswith(b"\r\n.\r\n")
    body = wire[: -len(b".\r\n")]
    assert all(not line.startswith(b".") or line.startswith(b"..") for line in body.split(b"\r\n"))
    assert b"X-Smtpops-Test-Id: abc123\r\n" in wire and b"X-Tag: .dotted\r\n" in wire


def test_overall_cap_stops_a_slow_server():
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept)
    thread.start()
    try:
        config = Config.from_raw(
            {
                "name": "x",
                "host": "127.0.0.1",
                "port": port,
                "username": "a@example.com",
                "wait_timeout": 30,
            }
        )
        started = time.monotonic()
        report = run_probe(config, Secret(CANARY), options=ProbeOptions(total_timeout=0.5))
        assert time.monotonic() - started < 3
        assert report.failure is not None
        assert report.failure.error == "greeting.overall_timeout"
        assert report.summary.startswith("The whole test took longer than 0.5 s")
    finally:
        stop.set()
        thread.join()
        for sock in held:
            sock.close()
        listener.close()


def test_password_is_scrubbed_even_if_a_server_echoes_it(raw_server, make_sandbox):
    def echo(conn: socket.socket, stop: threading.Event) -> None:
        conn.sendall(f"554 go away {CANARY}\r\n".encode())
        stop.wait(5)

    server = raw_server(echo)
    config = Config.from_raw(
        {"name": "x", "host": "127.0.0.1", "port": server.port, "username": "a@example.com"}
    )
    report = run_probe(config, Secret(CANARY), options=ProbeOptions(wait_timeout=2))
    assert report.failure is not None and report.failure.error == "greeting.rejected"
    assert CANARY not in str(report.to_dict())
    assert "********" in report.summary
