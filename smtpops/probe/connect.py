"""TCP connect to each checked address in turn; a silent drop (timeout) is told apart from a
refusal, and on a timeout the usual alternative ports are tried briefly."""

from __future__ import annotations

import errno
import ipaddress
import selectors
import socket
import time
from collections.abc import Callable

from smtpops.probe.failure import Failure
from smtpops.records import record

_UNREACHABLE = {errno.ENETUNREACH, errno.EHOSTUNREACH, errno.EADDRNOTAVAIL, errno.EAFNOSUPPORT}


@record(frozen=True)
class Attempt:
    address: str
    outcome: str  # connected | refused | timeout | unreachable | error


def _family(address: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ipaddress.ip_address(address).version == 6 else socket.AF_INET


def _try(address: str, port: int, timeout: float) -> tuple[socket.socket | None, str]:
    sock = socket.socket(_family(address), socket.SOCK_STREAM)
    sock.settimeout(max(timeout, 0.01))
    try:
        sock.connect((address, port))
    except TimeoutError:
        outcome = "timeout"
    except ConnectionRefusedError:
        outcome = "refused"
    except OSError as exc:
        outcome = "unreachable" if exc.errno in _UNREACHABLE else "error"
    else:
        return sock, "connected"
    sock.close()
    return None, outcome


def connect(
    addresses: tuple[str, ...],
    port: int,
    *,
    timeout: Callable[[], float],
    alternatives: tuple[int, ...] = (),
    alternative_timeout: float = 2.0,
) -> tuple[socket.socket, str, tuple[Attempt, ...]]:
    """The first address that accepts. Raises Failure connect.timeout/refused/unreachable."""
    attempts: list[Attempt] = []
    for address in addresses:
        sock, outcome = _try(address, port, timeout())
        attempts.append(Attempt(address, outcome))
        if sock is not None:
            return sock, address, tuple(attempts)
    tried = ", ".join(f"{a.address} ({a.outcome})" for a in attempts)
    outcomes = {a.outcome for a in attempts}
    if "timeout" in outcomes:
        first = next(a.address for a in attempts if a.outcome == "timeout")
        others = tuple(p for p in alternatives if p != port)
        answering = probe_ports(first, others, alternative_timeout)
        raise Failure(
            "connect.timeout",
            tried,
            port=port,
            address=first,
            alternatives=others,
            answering=answering,
        )
    if outcomes == {"refused"}:
        raise Failure("connect.refused", tried, port=port, address=attempts[0].address)
    raise Failure("connect.unreachable", tried, port=port, address=attempts[0].address)


def probe_ports(address: str, ports: tuple[int, ...], timeout: float) -> tuple[int, ...]:
    """Which of ``ports`` accept a TCP connection within ``timeout`` (all tried at once)."""
    if not ports:
        return ()
    selector = selectors.DefaultSelector()
    pending: dict[socket.socket, int] = {}
    answering: list[int] = []
    try:
        for port in ports:
            sock = socket.socket(_family(address), socket.SOCK_STREAM)
            sock.setblocking(False)
            code = sock.connect_ex((address, port))
            if code == 0:
                answering.append(port)
                sock.close()
            elif code in (errno.EINPROGRESS, errno.EWOULDBLOCK):
                pending[sock] = port
                selector.register(sock, selectors.EVENT_WRITE)
            else:
                sock.close()
        deadline = time.monotonic() + timeout
        while pending and (left := deadline - time.monotonic()) > 0:
            for key, _ in selector.select(left):
                sock = key.fileobj  # type: ignore[assignment]
                assert isinstance(sock, socket.socket)
                if sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0:
                    answering.append(pending[sock])
                selector.unregister(sock)
                sock.close()
                del pending[sock]
    finally:
        for sock in pending:
            sock.close()
        selector.close()
    return tuple(sorted(answering))
