"""Servers that misbehave before login: each gives its own failure class, message and fix,
within its timeout."""

from __future__ import annotations

import socket
import threading
import time

import pytest

from tests.probe.conftest import read_line


def failure(report: dict) -> dict:
    assert report["passed"] is False, report
    return report["failure"]


def never_greets(conn: socket.socket, stop: threading.Event) -> None:
    stop.wait(10)


def trickles(conn: socket.socket, stop: threading.Event) -> None:
    for byte in b"220-mail.example.com is warming up, please be patient":
        if stop.wait(0.1):
            return
        conn.sendall(bytes([byte]))


def says(banner: bytes):
    def script(conn: socket.socket, stop: threading.Event) -> None:
        conn.sendall(banner)
        stop.wait(10)

    return script


def closes_after_ehlo(conn: socket.socket, stop: threading.Event) -> None:
    conn.sendall(b"220 mail.example.com ESMTP\r\n")
    read_line(conn)
    conn.close()


def endless_line(conn: socket.socket, stop: threading.Event) -> None:
    conn.sendall(b"220 ")
    chunk = b"A" * 65536
    while not stop.is_set():
        conn.sendall(chunk)


def endless_capabilities(conn: socket.socket, stop: threading.Event) -> None:
    conn.sendall(b"220 mail.example.com ESMTP\r\n")
    read_line(conn)
    while not stop.is_set():
        conn.sendall(b"250-X-FEATURE\r\n" * 1000)


def breaks_handshake(conn: socket.socket, stop: threading.Event) -> None:
    conn.sendall(b"220 mail.example.com ESMTP\r\n")
    read_line(conn)
    conn.sendall(b"250-mail.example.com\r\n250-STARTTLS\r\n250 AUTH LOGIN\r\n")
    read_line(conn)
    conn.sendall(b"220 2.0.0 Ready to start TLS\r\n")
    conn.recv(4096)  # the ClientHello
    conn.sendall(b"this is not a TLS record at all\r\n")
    conn.close()


@pytest.fixture
def config_for(sandbox, write_config, raw_server):
    def make(script, **fields):
        server = raw_server(script)
        write_config(sandbox.config() | {"port": server.port} | fields)
        return server

    return make


def test_accepts_but_never_greets(config_for, probe):
    config_for(never_greets)
    started = time.monotonic()
    _, report = probe("development/sandbox", wait="0.4", expect=1)
    step = failure(report)
    assert step["error"] == "greeting.timeout"
    assert step["message"].endswith("but sent no greeting within 0.4 s.")
    assert "port 465 needs tls: SSL/TLS" in step["hint"]
    assert time.monotonic() - started < 5


def test_implicit_tls_port_with_starttls_is_a_mode_mismatch(sandbox, write_config, probe):
    write_config(sandbox.config() | {"port": sandbox.tls_port})
    _, report = probe("development/sandbox", wait="0.4", expect=1)
    step = failure(report)
    assert step["error"] == "greeting.tls_mismatch"
    assert "expects TLS from the first byte (implicit TLS), but tls is STARTTLS" in step["message"]
    assert step["hint"] == "Set tls: SSL/TLS for this port, or use port 587 with tls: STARTTLS."


def test_greets_too_slowly(config_for, probe):
    config_for(trickles)
    _, report = probe("development/sandbox", wait="0.5", expect=1)
    step = failure(report)
    assert step["error"] == "greeting.slow"
    assert step["message"].startswith("The server started its greeting but did not finish it")
    assert "(got '220-" in step["message"]


def test_sends_garbage(config_for, probe):
    config_for(says(b"SSH-2.0-OpenSSH_9.6\r\n"))
    _, report = probe("development/sandbox", expect=1)
    step = failure(report)
    assert step["error"] == "greeting.garbage"
    assert "not SMTP: 'SSH-2.0-OpenSSH_9.6'" in step["message"]
    assert "runs some other service" in step["hint"]


def test_554_banner(config_for, probe):
    config_for(says(b"554 5.7.1 mail.example.com: your IP is on our blocklist\r\n"))
    _, report = probe("development/sandbox", expect=1)
    step = failure(report)
    assert step["error"] == "greeting.rejected"
    assert "your IP is on our blocklist" in step["message"]
    assert "allow this machine's IP address" in step["hint"]


def test_421_on_connect(config_for, probe):
    config_for(says(b"421 4.3.2 Service not available, closing channel\r\n"))
    _, report = probe("development/sandbox", expect=1)
    step = failure(report)
    assert step["error"] == "greeting.busy"
    assert "busy" in step["message"] and "Wait a few minutes" in step["hint"]


def test_closes_after_ehlo(config_for, probe):
    config_for(closes_after_ehlo)
    _, report = probe("development/sandbox", expect=1)
    step = failure(report)
    assert step["error"] == "ehlo.closed"
    assert step["message"] == "The server closed the connection after EHLO crm.example.com."
    assert "helo_hostname" in step["hint"]


def test_endless_line_is_cut_off(config_for, probe):
    config_for(endless_line)
    _, report = probe("development/sandbox", wait="5", expect=1)
    step = failure(report)
    assert step["error"] == "greeting.too_long"
    assert step["duration_ms"] < 2000  # stopped at the line bound, not at the timeout


def test_endless_reply_is_cut_off(config_for, probe):
    config_for(endless_capabilities)
    _, report = probe("development/sandbox", wait="5", expect=1)
    assert failure(report)["error"] == "ehlo.too_long"


def test_starttls_then_broken_handshake(config_for, probe):
    config_for(breaks_handshake)
    _, report = probe("development/sandbox", expect=1)
    step = failure(report)
    assert step["error"] == "tls.handshake"
    assert step["message"].startswith("The TLS handshake with the server failed (")


def test_starttls_not_offered(make_sandbox, write_config, probe):
    box = make_sandbox(starttls=False)
    write_config(box.config())
    _, report = probe("development/sandbox", expect=1)
    step = failure(report)
    assert step["error"] == "tls.not_offered"
    assert "never falls back to plain text" in step["message"]
    steps = {s["name"] for s in report["steps"]}
    assert "auth" not in steps


def test_ssl_tls_on_a_plain_port_is_a_mode_mismatch(sandbox, write_config, probe):
    write_config(sandbox.config(tls="SSL/TLS") | {"port": sandbox.starttls_port})
    _, report = probe("development/sandbox", expect=1)
    step = failure(report)
    assert step["error"] == "tls.mode_mismatch"
    assert step["hint"].startswith("Set tls: STARTTLS for this port")
