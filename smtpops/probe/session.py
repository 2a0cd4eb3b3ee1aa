"""A small SMTP client on a blocking socket: every reply is read under a deadline, with a bound
on line length and line count, so a server that trickles, babbles or never stops cannot hang
the test or fill memory. Client lines that carry credentials are never kept in the transcript.
"""

from __future__ import annotations

import contextlib
import re
import socket
import ssl
import time
from collections.abc import Callable

from smtpops.records import record

MAX_LINE = 2048  # RFC 5321 reply lines are at most 512 octets; leave room for chatty servers
MAX_LINES = 100
HIDDEN = "<credentials hidden>"
_REPLY = re.compile(rb"^([2-5][0-9][0-9])([ -]|$)")
_ENHANCED = re.compile(r"^([245]\.[0-9]{1,3}\.[0-9]{1,3})\b")


@record(frozen=True)
class Reply:
    code: int
    lines: tuple[str, ...]

    @property
    def text(self) -> str:
        return " ".join(line for line in self.lines if line).strip()

    @property
    def enhanced(self) -> str | None:
        """The enhanced status code (RFC 3463), e.g. ``5.7.9``, when the server gave one."""
        match = _ENHANCED.match(self.lines[0] if self.lines else "")
        return match.group(1) if match else None

    def __str__(self) -> str:
        return f"{self.code} {self.text}".strip()


class ReadError(Exception):
    """The server's reply did not come as SMTP. ``kind``: timeout (nothing arrived), slow
    (part arrived), closed, garbage, too_long."""

    def __init__(self, kind: str, partial: bytes = b"") -> None:
        super().__init__(kind)
        self.kind = kind
        self.partial = partial[:120]

    @property
    def excerpt(self) -> str:
        return repr(self.partial.decode("utf-8", "replace"))[1:-1][:80]


class Session:
    def __init__(
        self, sock: socket.socket, timeout: Callable[[], float], transcript: list[str] | None = None
    ) -> None:
        self.sock = sock
        self.timeout = timeout  # seconds allowed for the next reply
        self._buffer = bytearray()
        self.transcript: list[str] = [] if transcript is None else transcript
        self.usable = True  # False once a read or write failed, or the server said 421
        self.encrypted = False  # True once a TLS handshake completed
        self.said_quit = False

    def _broken(self, exc: ReadError) -> ReadError:
        self.usable = False
        return exc

    def _line(self, deadline: float, started: bool) -> bytes:
        while True:
            end = self._buffer.find(b"\n")
            if end >= 0:
                line = bytes(self._buffer[: end + 1])
                del self._buffer[: end + 1]
                return line.rstrip(b"\r\n")
            if len(self._buffer) > MAX_LINE:
                raise ReadError("too_long", bytes(self._buffer))
            left = deadline - time.monotonic()
            if left <= 0:
                raise ReadError(
                    "slow" if started or self._buffer else "timeout", bytes(self._buffer)
                )
            self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(4096)
            except TimeoutError:
                continue
            except OSError:
                raise ReadError("closed", bytes(self._buffer)) from None
            if not chunk:
                raise ReadError("closed", bytes(self._buffer))
            self._buffer.extend(chunk)

    def read_reply(self) -> Reply:
        try:
            reply = self._read_reply()
        except ReadError as exc:
            raise self._broken(exc) from None
        if reply.code == 421:
            self.usable = False  # the server is closing the session (RFC 5321 3.8)
        return reply

    def _read_reply(self) -> Reply:
        deadline = time.monotonic() + self.timeout()
        lines: list[str] = []
        code = None
        while True:
            raw = self._line(deadline, bool(lines))
            match = _REPLY.match(raw)
            if not match:
                raise ReadError("garbage", raw)
            code = int(match.group(1))
            lines.append(raw[4:].decode("utf-8", "replace").strip())
            self.transcript.append(f"S: {raw[:200].decode('utf-8', 'replace')}")
            if match.group(2) != b"-":
                return Reply(code, tuple(lines))
            if len(lines) >= MAX_LINES:
                raise ReadError("too_long", raw)

    def send(self, line: str, *, shown: str | None = None) -> None:
        """Send one command line; ``shown`` replaces it in the transcript (credentials)."""
        self.transcript.append(f"C: {line if shown is None else shown}")
        self.said_quit = self.said_quit or line == "QUIT"
        self.sock.settimeout(max(self.timeout(), 0.01))
        try:
            self.sock.sendall(line.encode("utf-8") + b"\r\n")
        except OSError:
            raise self._broken(ReadError("closed")) from None

    def command(self, line: str, *, shown: str | None = None) -> Reply:
        self.send(line, shown=shown)
        return self.read_reply()

    def send_data(self, payload: bytes) -> None:
        self.transcript.append(f"C: <message, {len(payload)} bytes>")
        self.sock.settimeout(max(self.timeout(), 0.01))
        try:
            self.sock.sendall(payload)
        except OSError:
            raise self._broken(ReadError("closed")) from None

    def upgrade(self, context: ssl.SSLContext, server_hostname: str | None) -> ssl.SSLSocket:
        """Wrap the socket in TLS and run the handshake (raises ssl/OS errors as they come)."""
        self._buffer.clear()
        self.sock.settimeout(max(self.timeout(), 0.01))
        wrapped = context.wrap_socket(
            self.sock, server_hostname=server_hostname, do_handshake_on_connect=False
        )
        self.sock = wrapped
        try:
            wrapped.do_handshake()
        except BaseException:
            self.usable = False  # a half-done handshake leaves nothing to talk over
            raise
        self.encrypted = True
        return wrapped

    def quit(self, seconds: float) -> Reply | None:
        """Say QUIT (once) and wait up to ``seconds`` for the answer, when the session is
        still in a state to take it; None when it was not sent or not answered."""
        if not self.usable or self.said_quit or seconds <= 0:
            return None
        timeout, self.timeout = self.timeout, lambda: seconds
        try:
            return self.command("QUIT")
        except ReadError:
            return None
        finally:
            self.timeout = timeout

    def close(self, seconds: float = 0.5) -> None:
        """Close the connection; over TLS, first a proper TLS shutdown (close_notify, and the
        server's answer for up to ``seconds``), so the server does not log a broken session."""
        sock = self.sock
        if self.encrypted and self.usable and isinstance(sock, ssl.SSLSocket):
            with contextlib.suppress(OSError, ValueError):
                sock.settimeout(max(seconds, 0.01))
                sock.unwrap()
        with contextlib.suppress(OSError):
            sock.close()
