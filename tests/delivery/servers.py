"""The project's sandbox SMTP server (aiosmtpd, trustme CA, STARTTLS/implicit TLS, AUTH
LOGIN/PLAIN/CRAM-MD5) instrumented for the delivery tests: it counts concurrent sessions
(the peak is what ``max_connections`` must bound), records the EHLO name of every message,
and can stall MAIL FROM on the first N attempts (a server slower than ``wait_timeout``)."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from smtpops.probe.sandbox import Received, Sandbox


class CountingSandbox(Sandbox):
    def __init__(self, *args: Any, stall_mail: int = 0, stall_seconds: float = 0.0, **kw: Any):
        super().__init__(*args, **kw)
        self.lock = threading.Lock()
        self.current = 0
        self.peak = 0
        self.sessions = 0
        self.helo: list[str | None] = []  # per kept message, in order
        self.mail_attempts = 0
        self.stall_mail, self.stall_seconds = stall_mail, stall_seconds

    def _smtp(self, context: Any, implicit: bool) -> Any:
        protocol = super()._smtp(context, implicit)
        made, lost = protocol.connection_made, protocol.connection_lost
        box = self

        def connection_made(transport: Any) -> None:
            with box.lock:
                box.current += 1
                box.sessions += 1
                box.peak = max(box.peak, box.current)
            made(transport)

        def connection_lost(error: Any) -> None:
            with box.lock:
                box.current -= 1
            lost(error)

        hooks = protocol._handle_hooks  # aiosmtpd looks the handler's hooks up once
        plain_mail, plain_data = hooks["MAIL"], hooks["DATA"]

        async def handle_mail(server: Any, session: Any, envelope: Any, *args: Any) -> str:
            with box.lock:
                box.mail_attempts += 1
                stall = box.mail_attempts <= box.stall_mail
            if stall:
                await asyncio.sleep(box.stall_seconds)
            reply: str = await plain_mail(server, session, envelope, *args)
            return reply

        async def handle_data(server: Any, session: Any, envelope: Any) -> str:
            with box.lock:
                box.helo.append(session.host_name)
            reply: str = await plain_data(server, session, envelope)
            return reply

        protocol.connection_made = connection_made
        protocol.connection_lost = connection_lost
        hooks["MAIL"], hooks["DATA"] = handle_mail, handle_data
        return protocol

    def reset(self) -> None:
        with self.lock:
            self.messages.clear()
            self.helo.clear()
            self.peak = self.current
            self.sessions = 0
            self.mail_attempts = 0

    def to(self, address: str) -> list[Received]:
        return [m for m in list(self.messages) if address in m.rcpt_tos]
