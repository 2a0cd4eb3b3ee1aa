"""The project's sandbox SMTP server (aiosmtpd, trustme CA, STARTTLS/implicit TLS, AUTH
LOGIN/PLAIN/CRAM-MD5) instrumented for the delivery tests:

- ``peak``: the most sessions open at once. Counted when a session starts, over the
  sessions whose TCP connection the client still holds (TCP_INFO state ESTABLISHED): the
  server's event loop may read a finished session's QUIT and FIN a moment after the
  client's next connection arrives, and that session has ended all the same.
- ``peak_in_flight``: the most transactions (MAIL FROM accepted → reply to DATA) at once.
- the EHLO name of every kept message; MAIL FROM stalled on the first N attempts (a server
  slower than ``wait_timeout``); an optional delay before each DATA reply.
"""

from __future__ import annotations

import asyncio
import socket
import struct
import threading
from typing import Any

from smtpops.probe.sandbox import Received, Sandbox

TCP_ESTABLISHED = 1


def _established(transport: Any) -> bool:
    sock = transport.get_extra_info("socket")
    if sock is None or transport.is_closing():
        return False
    try:
        info = sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 8)
    except OSError:
        return False
    return bool(struct.unpack("B", info[:1])[0] == TCP_ESTABLISHED)


class CountingSandbox(Sandbox):
    def __init__(
        self,
        *args: Any,
        stall_mail: int = 0,
        stall_seconds: float = 0.0,
        data_delay: float = 0.0,
        **kw: Any,
    ):
        super().__init__(*args, **kw)
        self.lock = threading.Lock()
        self.open: dict[int, Any] = {}  # id(protocol) → its TCP transport
        self.peak = 0
        self.sessions = 0
        self.in_flight = 0
        self.peak_in_flight = 0
        self.helo: list[str | None] = []  # per kept message, in order
        self.mail_attempts = 0
        self.stall_mail, self.stall_seconds = stall_mail, stall_seconds
        self.data_delay = data_delay

    def _smtp(self, context: Any, implicit: bool) -> Any:
        protocol = super()._smtp(context, implicit)
        made, lost = protocol.connection_made, protocol.connection_lost
        box, key = self, id(protocol)
        state = {"open": False, "in_flight": False}

        def connection_made(transport: Any) -> None:
            with box.lock:
                if not state["open"]:  # STARTTLS calls connection_made again
                    state["open"] = True
                    box.open[key] = transport
                    box.sessions += 1
                    live = sum(1 for t in box.open.values() if _established(t))
                    box.peak = max(box.peak, live)
            made(transport)

        def finish_transaction() -> None:
            if state["in_flight"]:
                state["in_flight"] = False
                box.in_flight -= 1

        def end() -> None:
            with box.lock:
                finish_transaction()
                if state["open"]:
                    state["open"] = False
                    box.open.pop(key, None)

        def connection_lost(error: Any) -> None:
            end()
            lost(error)

        methods = protocol._smtp_methods  # aiosmtpd looks its commands up once
        plain_quit, plain_rset = methods["QUIT"], methods["RSET"]

        async def smtp_quit(arg: str) -> None:
            end()
            await plain_quit(arg)

        async def smtp_rset(arg: str) -> None:
            with box.lock:
                finish_transaction()
            await plain_rset(arg)

        hooks = protocol._handle_hooks  # and the handler's hooks
        plain_mail, plain_data = hooks["MAIL"], hooks["DATA"]

        async def handle_mail(server: Any, session: Any, envelope: Any, *args: Any) -> str:
            with box.lock:
                box.mail_attempts += 1
                stall = box.mail_attempts <= box.stall_mail
            if stall:
                await asyncio.sleep(box.stall_seconds)
            reply: str = await plain_mail(server, session, envelope, *args)
            if reply.startswith("250"):
                with box.lock:
                    if not state["in_flight"]:
                        state["in_flight"] = True
                        box.in_flight += 1
                        box.peak_in_flight = max(box.peak_in_flight, box.in_flight)
            return reply

        async def handle_data(server: Any, session: Any, envelope: Any) -> str:
            if box.data_delay:
                await asyncio.sleep(box.data_delay)  # so that deliveries overlap
            with box.lock:
                box.helo.append(session.host_name)
            try:
                reply: str = await plain_data(server, session, envelope)
            finally:
                with box.lock:
                    finish_transaction()
            return reply

        protocol.connection_made = connection_made
        protocol.connection_lost = connection_lost
        methods["QUIT"], methods["RSET"] = smtp_quit, smtp_rset
        hooks["MAIL"], hooks["DATA"] = handle_mail, handle_data
        return protocol

    def reset(self) -> None:
        with self.lock:
            self.messages.clear()
            self.helo.clear()
            self.peak = len(self.open)
            self.peak_in_flight = self.in_flight
            self.sessions = 0
            self.mail_attempts = 0

    def to(self, address: str) -> list[Received]:
        return [m for m in list(self.messages) if address in m.rcpt_tos]
