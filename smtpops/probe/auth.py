"""SMTP AUTH with the configured mechanism: LOGIN, PLAIN or CRAM-MD5 (RFC 4954, 4616, 2195)
with a password; XOAUTH2 or OAUTHBEARER (RFC 7628) with an OAuth2 access token.

The password or token is revealed only to build the bytes on the wire; the transcript never
holds it.
"""

from __future__ import annotations

import base64
import binascii
import json

from smtpops import digests
from smtpops.probe.failure import Failure
from smtpops.probe.session import HIDDEN, Reply, Session
from smtpops.secret import Secret


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _login(session: Session, username: str, password: Secret) -> Reply:
    reply = session.command("AUTH LOGIN")
    if reply.code != 334:
        return reply
    reply = session.command(_b64(username.encode()), shown=HIDDEN)
    if reply.code != 334:
        return reply
    return session.command(_b64(password.reveal().encode()), shown=HIDDEN)


def _plain(session: Session, username: str, password: Secret) -> Reply:
    token = b"\0" + username.encode() + b"\0" + password.reveal().encode()
    return session.command(f"AUTH PLAIN {_b64(token)}", shown=f"AUTH PLAIN {HIDDEN}")


def _cram_md5(session: Session, username: str, password: Secret) -> Reply:
    reply = session.command("AUTH CRAM-MD5")
    if reply.code != 334:
        return reply
    try:
        challenge = base64.b64decode(reply.text.encode("ascii", "replace"), validate=True)
    except (binascii.Error, ValueError):
        session.send("*")
        raise Failure("auth.garbage", f"challenge {reply.text[:60]!r} is not base64") from None
    digest = digests.hmac_md5_hex(password.reveal().encode(), challenge)
    return session.command(_b64(f"{username} {digest}".encode()), shown=HIDDEN)


MECHANISMS = {"LOGIN": _login, "PLAIN": _plain, "CRAM-MD5": _cram_md5}


def authenticate(session: Session, mechanism: str, username: str, password: Secret) -> Reply:
    """Run the exchange; the final reply (235 on success) is returned as it came."""
    return MECHANISMS[mechanism](session, username, password)


def xoauth2_response(username: str, token: Secret) -> bytes:
    """The XOAUTH2 initial client response (Google's and Microsoft's documented format)."""
    return f"user={username}\x01auth=Bearer {token.reveal()}\x01\x01".encode()


def oauthbearer_response(username: str, token: Secret, host: str, port: int) -> bytes:
    """The OAUTHBEARER initial client response (RFC 7628, with a GS2 header)."""
    user = username.replace("=", "=3D").replace(",", "=2C")
    return f"n,a={user},\x01host={host}\x01port={port}\x01auth=Bearer {token.reveal()}\x01\x01".encode()


def decode_challenge(text: str) -> dict[str, str] | None:
    """The server's error challenge (base64 JSON in a 334 reply) as a mapping, or None."""
    try:
        data = json.loads(base64.b64decode(text.strip().encode("ascii"), validate=True))
    except (binascii.Error, ValueError, UnicodeError):
        return None
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else None


def authenticate_token(
    session: Session, mechanism: str, username: str, token: Secret, host: str, port: int
) -> tuple[Reply, dict[str, str] | None]:
    """XOAUTH2 or OAUTHBEARER. A 334 reply is the server's error challenge: it is decoded,
    answered as the mechanism requires (an empty line, or ^A for OAUTHBEARER) and the final
    reply returned with it."""
    if mechanism == "XOAUTH2":
        initial = xoauth2_response(username, token)
    else:
        initial = oauthbearer_response(username, token, host, port)
    reply = session.command(f"AUTH {mechanism} {_b64(initial)}", shown=f"AUTH {mechanism} {HIDDEN}")
    if reply.code != 334:
        return reply, None
    challenge = decode_challenge(reply.text) or {"status": "unreadable"}
    final = session.command("" if mechanism == "XOAUTH2" else _b64(b"\x01"))
    return final, challenge
