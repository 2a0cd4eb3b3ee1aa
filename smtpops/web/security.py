"""Who may talk to the page: an ASGI middleware in front of every route.

- **Host check** (against DNS rebinding): the Host header must be ``127.0.0.1:PORT`` or
  ``localhost:PORT``; anything else gets 403.
- **Access token** (like Jupyter): ``smtpops ui`` prints ``/?token=…``; that request is
  answered with a session cookie (HttpOnly, SameSite=Strict) and a redirect to ``/``, so the
  token leaves the address bar at once. Every other request needs the cookie, else 403.
- **CSRF**: every request that changes something (anything but GET/HEAD) must carry the
  session's CSRF token in ``X-CSRF-Token`` (the page reads it from a meta tag), and an
  ``Origin``, when sent, must be the page's own; else 403.
- **Headers**: a strict Content-Security-Policy (scripts and styles only from the page's own
  files), no referrer, no caching, no framing.
"""

from __future__ import annotations

import hmac
import secrets
import threading
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import field
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qs

from smtpops.records import record

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

COOKIE = "smtpops_session"  # + "_PORT": browsers share cookies between ports of one host
CSRF_HEADER = "x-csrf-token"
MAX_BODY = 1_000_000  # bytes: a form is a few kilobytes
SAFE_METHODS = ("GET", "HEAD")
HEADERS = [
    (
        b"content-security-policy",
        b"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        b"connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    ),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cache-control", b"no-store"),
]


@record()
class Session:
    """One browser's session: its CSRF token, a key for fingerprints, what it tested."""

    id: str = field(default_factory=lambda: secrets.token_urlsafe(32), repr=False)
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(32), repr=False)
    key: bytes = field(default_factory=lambda: secrets.token_bytes(32), repr=False)
    tested: dict[str, dict[str, str]] = field(default_factory=dict)  # fingerprint → facts
    shown_errors: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def fingerprint(self, *parts: str) -> str:
        """A keyed digest of ``parts`` (a draft and its typed password): comparable, not
        reversible, and meaningless outside this session."""
        mac = hmac.new(self.key, digestmod="sha256")
        for part in parts:
            mac.update(part.encode("utf-8") + b"\0")
        return mac.hexdigest()


@record()
class Gate:
    """The access token and the sessions it opened."""

    port: int
    token: str = field(default_factory=lambda: secrets.token_urlsafe(32), repr=False)
    sessions: dict[str, Session] = field(default_factory=dict, repr=False)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def hosts(self) -> tuple[str, ...]:
        return (f"127.0.0.1:{self.port}", f"localhost:{self.port}")

    @property
    def cookie(self) -> str:
        return f"{COOKIE}_{self.port}"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/?token={self.token}"

    def open_session(self) -> Session:
        session = Session()
        with self.lock:
            self.sessions[session.id] = session
        return session

    def session(self, cookie_value: str | None) -> Session | None:
        if not cookie_value:
            return None
        with self.lock:
            for key, session in self.sessions.items():
                if same(cookie_value, key):
                    return session
        return None


def same(given: str, expected: str) -> bool:
    """A constant-time comparison that any text can be given to (``hmac.compare_digest``
    refuses non-ASCII str)."""
    return hmac.compare_digest(given.encode("utf-8", "replace"), expected.encode("utf-8"))


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return str(value.decode("latin-1"))
    return None


def _cookie(scope: Scope, name: str) -> str | None:
    raw = _header(scope, b"cookie")
    if not raw:
        return None
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(raw)
    except Exception:  # a malformed Cookie header is simply no session
        return None
    morsel = jar.get(name)
    return morsel.value if morsel else None


async def _plain(send: Send, status: int, text: str, extra: list[tuple[bytes, bytes]]) -> None:
    body = text.encode("utf-8")
    headers = [
        (b"content-type", b"text/plain; charset=utf-8"),
        (b"content-length", str(len(body)).encode()),
        *HEADERS,
        *extra,
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class Guard:
    """The middleware: Host check, token exchange, session cookie, CSRF, headers."""

    def __init__(self, app: ASGIApp, gate: Gate) -> None:
        self.app = app
        self.gate = gate

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        host = (_header(scope, b"host") or "").lower()
        if host not in self.gate.hosts:
            await _plain(send, 403, "Forbidden: this page answers only at 127.0.0.1.\n", [])
            return
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        token = (query.get("token") or [""])[0]
        if scope["path"] == "/" and token:
            if not same(token, self.gate.token):
                await _plain(send, 403, "Forbidden: the access token is wrong.\n", [])
                return
            session = self.gate.open_session()
            cookie = f"{self.gate.cookie}={session.id}; HttpOnly; SameSite=Strict; Path=/"
            await _plain(
                send,
                303,
                "See /\n",
                [(b"location", b"/"), (b"set-cookie", cookie.encode("latin-1"))],
            )
            return
        found = self.gate.session(_cookie(scope, self.gate.cookie))
        if found is None:
            await _plain(
                send,
                403,
                "Forbidden: open the link `smtpops ui` printed (it holds the access token).\n",
                [],
            )
            return
        if scope["method"] not in SAFE_METHODS:
            sent = _header(scope, CSRF_HEADER.encode()) or ""
            origin = _header(scope, b"origin")
            if not sent or not same(sent, found.csrf):
                await _plain(send, 403, "Forbidden: the CSRF token is missing or wrong.\n", [])
                return
            if origin is not None and origin.lower() not in (
                f"http://{h}" for h in self.gate.hosts
            ):
                await _plain(send, 403, "Forbidden: the request came from another site.\n", [])
                return
        try:
            size = int(_header(scope, b"content-length") or 0)
        except ValueError:
            size = MAX_BODY + 1
        if size > MAX_BODY:
            await _plain(send, 413, "The request is too large.\n", [])
            return
        scope.setdefault("state", {})["session"] = found

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *HEADERS]
            await send(message)

        await self.app(scope, receive, send_with_headers)
