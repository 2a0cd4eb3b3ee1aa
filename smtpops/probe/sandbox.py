"""A local SMTP server on loopback for trying smtpops out and for tests: STARTTLS and implicit
TLS with a generated certificate authority, AUTH LOGIN/PLAIN/CRAM-MD5 with throwaway
credentials (with ``oauth=True`` also XOAUTH2/OAUTHBEARER with tokens from its own local
HTTPS token endpoint), and every message kept for inspection.

    with Sandbox() as box:
        box.starttls_port, box.tls_port, box.ca_file, box.username, box.password
        box.config()          # config fields (no password) for the STARTTLS port
        box.messages          # what arrived

aiosmtpd and trustme are imported only when a sandbox starts. The keyword arguments after
``cert`` make it misbehave on purpose (tests use them).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import email
import email.policy
import functools
import gc
import hashlib
import hmac
import logging
import os
import re
import secrets
import shutil
import ssl
import tempfile
import threading
import time
import warnings
from collections.abc import Callable
from email.message import Message
from typing import Any

from smtpops.localstate import make_dir
from smtpops.oauth.issuer import Client, TokenIssuer
from smtpops.probe import sandbox_oauth
from smtpops.records import record

PASSWORD_MECHANISMS = ("LOGIN", "PLAIN", "CRAM-MD5")
TOKEN_MECHANISMS = ("XOAUTH2", "OAUTHBEARER")
MECHANISMS = (*PASSWORD_MECHANISMS, *TOKEN_MECHANISMS)
OAUTH_TENANT = "sandbox"
OAUTH_CLIENT_ID = "00000000-5a4d-b0c5-0000-000000000001"
OAUTH_SCOPE = "https://outlook.office365.com/.default"
_XOAUTH2 = re.compile(rb"^user=([^\x01]+)\x01auth=Bearer ([^\x01\s]+)\x01\x01$")
_OAUTHBEARER = re.compile(
    rb"^n,(?:a=([^,]*))?,\x01(?:[a-z]+=[^\x01]*\x01)*?auth=Bearer ([^\x01\s]+)\x01\x01$"
)
CERTS = ("valid", "wrong-host", "untrusted", "expired", "expiring")


@record(frozen=True)
class Received:
    mail_from: str
    rcpt_tos: tuple[str, ...]
    message: Message
    raw: bytes


class _Handler:
    def __init__(self, box: Sandbox) -> None:
        self.box = box

    async def handle_MAIL(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if self.box.mail_reply:
            return self.box.mail_reply
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 2.1.0 Sender OK"

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if self.box.rcpt_reply:
            return self.box.rcpt_reply
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 Recipient OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        return self.box.keep(envelope.mail_from, tuple(envelope.rcpt_tos), envelope.content)

    async def auth_CRAM__MD5(self, server: Any, args: list[str]) -> Any:
        # lazy: aiosmtpd is heavy: only the sandbox loads it (CLI start-up stays light)
        from aiosmtpd.smtp import MISSING, AuthResult

        challenge = f"<{secrets.randbelow(10**9)}.{int(time.time())}@sandbox>".encode()
        response = await server.challenge_auth(challenge)
        if response is MISSING:
            return AuthResult(success=False, handled=True)
        user, _, digest = response.decode("utf-8", "replace").rpartition(" ")
        expected = hmac.new(self.box.password.encode(), challenge, hashlib.md5).hexdigest()
        ok = user == self.box.username and hmac.compare_digest(digest, expected)
        return self.box.auth_result(ok)

    async def auth_XOAUTH2(self, server: Any, args: list[str]) -> Any:
        return await self.box.token_auth(server, args, _XOAUTH2)

    async def auth_OAUTHBEARER(self, server: Any, args: list[str]) -> Any:
        return await self.box.token_auth(server, args, _OAUTHBEARER)


class Sandbox:
    def __init__(
        self,
        directory: str | None = None,
        *,
        host: str = "127.0.0.1",
        starttls_port: int = 0,
        tls_port: int = 0,
        username: str = "sandbox@example.test",
        password: str | None = None,
        cert: str = "valid",
        mechanisms: tuple[str, ...] | None = None,
        oauth: bool = False,
        starttls: bool = True,
        auth_reply: str | None = None,
        mail_reply: str | None = None,
        rcpt_reply: str | None = None,
        names: tuple[str, ...] = ("localhost", "127.0.0.1", "::1"),
        on_message: Callable[[Received], None] | None = None,
    ) -> None:
        if cert not in CERTS:
            raise ValueError(f"cert must be one of {', '.join(CERTS)}")
        self.host = host
        self.username = username
        self.password = password or secrets.token_urlsafe(12)
        self.oauth = oauth
        default = MECHANISMS if oauth else PASSWORD_MECHANISMS
        self.cert, self.mechanisms, self.starttls = cert, mechanisms or default, starttls
        self.issuer: Any = None  # smtpops.oauth.issuer.TokenIssuer, when oauth
        self.client_secret = secrets.token_urlsafe(24) if oauth else ""
        self.auth_reply, self.mail_reply, self.rcpt_reply = auth_reply, mail_reply, rcpt_reply
        self._requested = (starttls_port, tls_port)
        self.names = names
        self.on_message = on_message
        self._own_dir = directory is None
        self.directory = directory or tempfile.mkdtemp(prefix="smtpops-sandbox-")
        self.ca_file = os.path.join(self.directory, "ca.pem")
        self.messages: list[Received] = []
        self.commands: list[str] = []  # the verbs clients sent, in order (MAIL, RCPT, QUIT…)
        self.tls_opened = 0  # TLS sessions whose handshake completed
        self.tls_closed_cleanly = 0  # ...and that ended with close_notify from both sides
        self.starttls_port = self.tls_port = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._servers: list[asyncio.AbstractServer] = []
        self._protocols: list[Any] = []
        self._transports: list[Any] = []
        self._lock = threading.Lock()

    # -- what the handler calls ------------------------------------------------------------
    def auth_result(self, ok: bool) -> Any:
        # lazy: aiosmtpd is heavy: only the sandbox loads it (CLI start-up stays light)
        from aiosmtpd.smtp import AuthResult

        if self.auth_reply:
            return AuthResult(success=False, handled=False, message=self.auth_reply)
        return AuthResult(success=ok, handled=False)

    def _authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> Any:
        login = getattr(auth_data, "login", b"") or b""
        password = getattr(auth_data, "password", b"") or b""
        ok = login.decode("utf-8", "replace") == self.username and hmac.compare_digest(
            password, self.password.encode()
        )
        return self.auth_result(ok)

    async def token_auth(self, server: Any, args: list[str], form: re.Pattern[bytes]) -> Any:
        return await sandbox_oauth.token_auth(self, server, args, form)

    def keep(self, mail_from: str, rcpt_tos: tuple[str, ...], raw: bytes) -> str:
        message = email.message_from_bytes(raw, policy=email.policy.default)
        with self._lock:
            self.messages.append(Received(mail_from, rcpt_tos, message, raw))
            number = len(self.messages)
        folder = os.path.join(self.directory, "messages")
        make_dir(folder)
        with open(os.path.join(folder, f"{number:04d}.eml"), "wb") as handle:
            handle.write(raw)
        if self.on_message is not None:
            self.on_message(self.messages[number - 1])
        return f"250 2.0.0 Ok: queued as SANDBOX{number:04d}"

    # -- certificates and servers ----------------------------------------------------------
    def _ca(self) -> Any:
        """The sandbox's CA. In a folder of its own (``.smtpops/sandbox``) it is kept across
        runs (its key beside it, readable only by you, ignored by git), so a config whose
        password is sealed to ``ca_file`` (the CA's content) still opens after a restart."""
        # lazy: trustme is heavy: only the sandbox loads it (CLI start-up stays light)
        import trustme

        key_file = os.path.join(self.directory, "ca-key.pem")
        if not self._own_dir and os.path.isfile(key_file) and os.path.isfile(self.ca_file):
            try:
                with open(self.ca_file, "rb") as cert, open(key_file, "rb") as key:
                    return trustme.CA.from_pem(cert.read(), key.read())
            except (OSError, ValueError):
                pass  # damaged: make a new one
        ca = trustme.CA(organization_name="smtpops sandbox CA")
        ca.cert_pem.write_to_path(self.ca_file)
        if not self._own_dir:
            fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(ca.private_key_pem.bytes())
        return ca

    def _server_context(self) -> ssl.SSLContext:
        # lazy: trustme is heavy: only the sandbox loads it (CLI start-up stays light)
        import trustme

        ca = self._ca()
        if self.oauth:
            self._start_issuer(ca)
        issuer = (
            trustme.CA(organization_name="someone else's CA") if self.cert == "untrusted" else ca
        )
        now = dt.datetime.now(dt.UTC)
        names = ("mail.wrong.example",) if self.cert == "wrong-host" else self.names
        ends = {"expired": -1, "expiring": 10}.get(self.cert)
        if ends is None:
            leaf = issuer.issue_cert(*names)
        else:
            leaf = issuer.issue_cert(
                *names,
                not_before=now - dt.timedelta(days=60),
                not_after=now + dt.timedelta(days=ends),
            )
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        leaf.configure_cert(context)
        context.sslobject_class = self._counting_sslobject()
        return context

    def _counting_sslobject(self) -> type[ssl.SSLObject]:
        """The TLS object asyncio drives for each connection, counting completed handshakes
        and TLS shutdowns that succeed: an unwrap succeeds only once the client's
        close_notify arrived, so a client that just drops the socket is not counted."""
        box = self

        class Counting(ssl.SSLObject):
            def do_handshake(self) -> None:
                super().do_handshake()
                with box._lock:
                    box.tls_opened += 1

            def unwrap(self) -> None:
                super().unwrap()
                with box._lock:
                    box.tls_closed_cleanly += 1

        return Counting

    def _smtp(self, context: ssl.SSLContext, implicit: bool) -> Any:
        # lazy: aiosmtpd is heavy: only the sandbox loads it (CLI start-up stays light)
        from aiosmtpd.smtp import SMTP

        protocol = SMTP(
            _Handler(self),
            hostname="localhost",
            ident="smtpops sandbox",
            tls_context=None if implicit or not self.starttls else context,
            auth_require_tls=not implicit,
            authenticator=self._authenticate,
            auth_exclude_mechanism=[m for m in MECHANISMS if m not in self.mechanisms],
            enable_SMTPUTF8=True,
            loop=self._loop,
        )
        self._protocols.append(protocol)
        self._record_commands(protocol)
        made = protocol.connection_made

        def connection_made(transport: Any) -> None:
            self._transports.append(transport)  # so that shutdown can close every one
            made(transport)

        protocol.connection_made = connection_made  # type: ignore[method-assign]
        return protocol

    def _record_commands(self, protocol: Any) -> None:
        """Note each command's verb as it arrives (aiosmtpd dispatches through its
        ``_smtp_methods`` table), so tests can see how a client ended its session."""
        methods: dict[str, Any] = protocol._smtp_methods
        for verb in ("EHLO", "HELO", "STARTTLS", "AUTH", "MAIL", "RCPT", "DATA", "RSET", "QUIT"):
            handler = methods[verb]

            def wrapped(arg: str, _verb: str = verb, _handler: Any = handler) -> Any:
                with self._lock:
                    self.commands.append(_verb)
                return _handler(arg)

            methods[verb] = functools.wraps(handler)(wrapped)

    async def _serve(self, context: ssl.SSLContext) -> None:
        loop = asyncio.get_running_loop()
        plain = await loop.create_server(
            lambda: self._smtp(context, False), self.host, self._requested[0]
        )
        implicit = await loop.create_server(
            lambda: self._smtp(context, True), self.host, self._requested[1], ssl=context
        )
        self._servers = [plain, implicit]
        self.starttls_port = plain.sockets[0].getsockname()[1]
        self.tls_port = implicit.sockets[0].getsockname()[1]

    async def _shutdown(self) -> None:
        for server in self._servers:
            server.close()
        # let connections the servers already accepted get their protocol (a task cancelled
        # before that would leave the accepted socket unclosed), then close them all
        await asyncio.sleep(0.02)
        self._close_connections()
        for server in self._servers:
            await server.wait_closed()
        tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._close_connections()
        await asyncio.sleep(0)

    def _close_connections(self) -> None:
        for transport in self._transports:
            if not transport.is_closing():
                transport.abort()  # at once, also under TLS (close waits for a TLS shutdown)

    def _start_issuer(self, ca: Any) -> None:
        self.issuer = TokenIssuer(ca, names=self.names[:2]).start()
        self.issuer.add_client(
            Client(
                client_id=OAUTH_CLIENT_ID,
                secret=self.client_secret,
                tenant=OAUTH_TENANT,
                mailboxes=(self.username,),
            )
        )

    def start(self) -> Sandbox:

        logging.getLogger("mail.log").setLevel(logging.CRITICAL)  # aiosmtpd is chatty
        context = self._server_context()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="smtpops-sandbox", daemon=True
        )
        self._thread.start()
        try:
            asyncio.run_coroutine_threadsafe(self._serve(context), self._loop).result(10)
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        if self.issuer is not None:
            self.issuer.stop()
        loop, self._loop = self._loop, None
        if loop is not None and self._thread is not None:
            if loop.is_running():
                asyncio.run_coroutine_threadsafe(self._shutdown(), loop).result(10)
                loop.call_soon_threadsafe(loop.stop)
            self._thread.join(10)
            # a client that connected to the implicit-TLS port and never finished its
            # handshake leaves a socket only the TLS layer knew of; it is closed here, when
            # the loop and its cycles are collected, without a ResourceWarning

            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ResourceWarning)
                loop.close()
                gc.collect()
        if self._own_dir:
            shutil.rmtree(self.directory, ignore_errors=True)

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- what users need -------------------------------------------------------------------
    def config(
        self, *, tls: str = "STARTTLS", auth_protocol: str = "LOGIN", name: str = "sandbox"
    ) -> dict[str, Any]:
        """Config fields (everything but the password) for this sandbox; with an OAuth2
        mechanism, an oauth block for the sandbox's own token endpoint (all but the secret)."""
        fields: dict[str, Any] = {
            "name": name,
            "description": "Local smtpops sandbox (smtpops sandbox)",
            "host": "localhost",
            "port": self.tls_port if tls == "SSL/TLS" else self.starttls_port,
            "tls": tls,
            "verify_certificate": True,
            "ca_file": self.ca_file,
            "auth_protocol": auth_protocol,
            "username": self.username,
            "helo_hostname": "crm.example.com",
            "wait_timeout": 5,
        }
        if auth_protocol in TOKEN_MECHANISMS and self.issuer is not None:
            fields["oauth"] = {
                "flow": "microsoft-app-only",
                "tenant": OAUTH_TENANT,
                "client_id": OAUTH_CLIENT_ID,
                "scope": OAUTH_SCOPE,
                "authority": self.issuer.authority(OAUTH_TENANT),
                "ca_file": self.ca_file,
            }
        return fields

    def info(self) -> dict[str, Any]:
        return {
            "host": "localhost",
            "address": self.host,
            "starttls_port": self.starttls_port,
            "tls_port": self.tls_port,
            "ca_file": self.ca_file,
            "username": self.username,
            "password": self.password,
            "mechanisms": list(self.mechanisms),
            "messages_dir": os.path.join(self.directory, "messages"),
        } | (
            {
                "oauth_authority": self.issuer.authority(OAUTH_TENANT),
                "oauth_client_id": OAUTH_CLIENT_ID,
                "oauth_client_secret": self.client_secret,
                "oauth_scope": OAUTH_SCOPE,
            }
            if self.issuer is not None
            else {}
        )
