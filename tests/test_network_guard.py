"""The tests' network guard (tests/conftest.py) refuses every way past loopback: TCP connect,
UDP sendto (dnspython), name lookups; loopback stays allowed. 192.0.2.1 is TEST-NET-1
(RFC 5737): nothing answers there, and the guard stops the packet before it leaves."""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Callable

import pytest

from tests.conftest import NetworkGuard

OUTSIDE = "192.0.2.1"


def _refused(guard: NetworkGuard, attempt: Callable[[], object], what: str) -> None:
    with pytest.raises(AssertionError, match="non-loopback"):
        attempt()
    assert guard.violations and what in guard.violations[-1]
    guard.violations.clear()  # provoked on purpose: do not fail this test at teardown


def test_tcp_connect_and_create_connection_are_refused(network_guard: NetworkGuard) -> None:
    def connect() -> None:
        with socket.socket() as sock:
            sock.connect((OUTSIDE, 25))

    def connect_ex() -> None:
        with socket.socket() as sock:
            sock.connect_ex((OUTSIDE, 25))

    _refused(network_guard, connect, "connect")
    _refused(network_guard, connect_ex, "connect_ex")
    _refused(network_guard, lambda: socket.create_connection((OUTSIDE, 25), 0.1), "getaddrinfo")
    ipv6 = socket.socket(socket.AF_INET6)
    with ipv6:
        _refused(network_guard, lambda: ipv6.connect(("2001:db8::1", 25)), "connect")


def test_udp_sendto_is_refused_with_and_without_flags(network_guard: NetworkGuard) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        _refused(network_guard, lambda: sock.sendto(b"x", (OUTSIDE, 53)), "sendto")
        _refused(network_guard, lambda: sock.sendto(b"x", 0, (OUTSIDE, 53)), "sendto")


def test_name_lookups_are_refused(network_guard: NetworkGuard) -> None:
    _refused(network_guard, lambda: socket.getaddrinfo("smtp.gmail.com", 587), "getaddrinfo")
    _refused(network_guard, lambda: socket.gethostbyname("smtp.gmail.com"), "gethostbyname")
    _refused(network_guard, lambda: socket.gethostbyname_ex("example.com"), "gethostbyname_ex")
    _refused(network_guard, lambda: socket.gethostbyaddr(OUTSIDE), "gethostbyaddr")
    # create_connection by name looks the name up first
    _refused(network_guard, lambda: socket.create_connection(("example.com", 25)), "getaddrinfo")


def test_dnspython_queries_to_an_outside_server_are_refused(network_guard: NetworkGuard) -> None:
    import dns.message
    import dns.query

    query = dns.message.make_query("smtp.gmail.com", "A")
    _refused(network_guard, lambda: dns.query.udp(query, OUTSIDE, timeout=0.2), "sendto")
    _refused(network_guard, lambda: dns.query.tcp(query, OUTSIDE, timeout=0.2), "connect")


def test_an_error_the_code_swallows_still_fails_the_test(network_guard: NetworkGuard) -> None:
    """Code under test that catches Exception must not hide a reach past loopback."""
    with contextlib.suppress(Exception):  # what careless code under test would do
        socket.create_connection((OUTSIDE, 25), 0.1)
    assert network_guard.violations, "the teardown check would not see the attempt"
    network_guard.violations.clear()


def test_loopback_stays_allowed(network_guard: NetworkGuard) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as server:
        server.bind(("127.0.0.1", 0))
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as client:
            client.sendto(b"ping", server.getsockname())
        assert server.recv(8) == b"ping"
    with socket.create_server(("127.0.0.1", 0)) as listener:
        socket.create_connection(listener.getsockname(), 1).close()
    assert socket.getaddrinfo("localhost", 25)
    assert socket.getaddrinfo(None, 0, socket.AF_INET, socket.SOCK_STREAM)
    assert socket.getaddrinfo("::ffff:127.0.0.1", 25)
    assert not network_guard.violations


@pytest.mark.parametrize(
    ("host", "allowed"),
    [
        ("127.0.0.1", True),
        ("127.8.9.10", True),
        ("::1", True),
        ("[::1]", True),
        ("::ffff:127.0.0.1", True),
        ("localhost", True),
        ("mail.localhost", True),
        (b"127.0.0.1", True),
        ("0.0.0.0", True),
        ("10.0.0.1", False),
        ("100.64.0.1", False),
        ("169.254.1.1", False),
        ("::ffff:192.0.2.1", False),
        ("fe80::1", False),
        ("localhost.example.com", False),
        ("smtp.office365.com", False),
    ],
)
def test_what_counts_as_loopback(host: object, allowed: bool) -> None:
    assert NetworkGuard.is_loopback(host) is allowed


def test_asyncio_connections_are_refused(network_guard: NetworkGuard) -> None:
    """What aiosmtplib-style clients use: the event loop's lookup and connect."""
    import asyncio

    async def dial(host: str) -> None:
        loop = asyncio.get_running_loop()
        await loop.create_connection(asyncio.Protocol, host, 25)

    _refused(network_guard, lambda: asyncio.run(dial(OUTSIDE)), "connect")  # no lookup for an IP
    _refused(network_guard, lambda: asyncio.run(dial("smtp.gmail.com")), "getaddrinfo")
