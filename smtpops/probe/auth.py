"""SMTP AUTH with the configured mechanism: LOGIN, PLAIN or CRAM-MD5 (RFC 4954, 4616, 2195).

The password is revealed only to build the bytes on the wire; the transcript never holds it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac

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
    digest = hmac.new(password.reveal().encode(), challenge, hashlib.md5).hexdigest()
    return session.command(_b64(f"{username} {digest}".encode()), shown=HIDDEN)


MECHANISMS = {"LOGIN": _login, "PLAIN": _plain, "CRAM-MD5": _cram_md5}


def authenticate(session: Session, mechanism: str, username: str, password: Secret) -> Reply:
    """Run the exchange; the final reply (235 on success) is returned as it came."""
    return MECHANISMS[mechanism](session, username, password)
