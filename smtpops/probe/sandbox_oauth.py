"""The sandbox's XOAUTH2 and OAUTHBEARER: the SASL string checked, the token checked with the
sandbox's own token endpoint, failures answered as Google and Exchange Online answer."""

from __future__ import annotations

import base64
import binascii
import json
import re
from typing import Any


async def token_auth(box: Any, server: Any, args: list[str], form: re.Pattern[bytes]) -> Any:
    """XOAUTH2 / OAUTHBEARER: check the SASL string and the token with the local token
    endpoint; a bad token gets the error challenge (base64 JSON in a 334), the client's
    reply to it, then 535 (as Google does); a token for an app without access to the
    mailbox gets 535 5.7.3 (as Exchange Online does)."""
    # lazy: aiosmtpd loads only when a sandbox runs
    from aiosmtpd.smtp import MISSING, AuthResult

    if len(args) > 1:
        try:
            blob = base64.b64decode(args[1], validate=True)
        except (binascii.Error, ValueError):
            return AuthResult(success=False, handled=False, message="501 5.5.2 Bad base64")
    else:
        answer = await server.challenge_auth("")
        if answer is MISSING:
            return AuthResult(success=False, handled=True)
        blob = answer
    match = form.match(blob)
    if box.issuer is None or match is None:
        error: dict[str, str] | None = {"status": "400", "schemes": "Bearer", "scope": ""}
        user = ""
    else:
        user = (match.group(1) or b"").decode("utf-8", "replace")
        error = box.issuer.check(user, match.group(2).decode("ascii", "replace"))
        if error is None and user != box.username:
            error = {"status": "400", "schemes": "Bearer", "scope": ""}
    if box.auth_reply:
        return AuthResult(success=False, handled=False, message=box.auth_reply)
    if error is None:
        return AuthResult(success=True, handled=False)
    if error["status"] == "mailbox":
        return AuthResult(
            success=False, handled=False, message="535 5.7.3 Authentication unsuccessful"
        )
    if form.pattern.startswith(b"^n,"):  # OAUTHBEARER
        error = {"status": "invalid_token", "scope": error.get("scope", "")}
    await server.challenge_auth(json.dumps(error).encode())
    return AuthResult(
        success=False,
        handled=False,
        message="535 5.7.8 Username and Password not accepted",
    )
