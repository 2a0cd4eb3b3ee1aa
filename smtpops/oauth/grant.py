"""What a token request is and what comes back: the records every flow family shares.

Kept apart from :mod:`smtpops.oauth.token` (which picks the family and caches) so that the
family modules (microsoft, google_, generic) and the failure classification need only this.
"""

from __future__ import annotations

import base64
import json
import time
from typing import Any

from smtpops.records import record
from smtpops.secret import Secret


@record(frozen=True, kw_only=True)
class AccessToken:
    """A token as the SMTP server gets it. ``value`` never prints itself."""

    value: Secret
    expires_at: float  # seconds since the epoch
    scopes: tuple[str, ...]  # as granted (the endpoint's answer or the token's claims)
    endpoint: str
    flow: str
    roles: tuple[str, ...] = ()  # Microsoft app-only: the application permissions granted

    def expires_in(self, now: float | None = None) -> int:
        return int(self.expires_at - (time.time() if now is None else now))


class TokenError(Exception):
    """The token endpoint (or the way to it) said no. ``kind`` is the failure class (see
    :mod:`smtpops.oauth.advice`); ``code``/``description`` are the endpoint's own words."""

    def __init__(
        self, kind: str, *, endpoint: str = "", code: str = "", description: str = ""
    ) -> None:
        super().__init__(kind)
        self.kind = kind
        self.endpoint = endpoint
        self.code = code
        self.description = description[:400]


@record(frozen=True, kw_only=True)
class TokenRequest:
    """What to ask for: the flow, the scopes, and where (the authority for msal)."""

    flow: str
    family: str
    scopes: tuple[str, ...]
    authority: str | None
    token_url: str | None
    subject: str
    tenant: str | None
    client_id: str | None
    ca_file: str | None

    @property
    def endpoint(self) -> str:
        return self.token_url or self.authority or ""


def claims(token: str) -> dict[str, Any]:
    """The payload of a JWT access token, read (not verified: that is the server's job) to
    show which permissions were granted; {} for opaque tokens."""
    parts = token.split(".")
    if len(parts) != 3:
        return {}
    try:
        padded = parts[1] + "=" * (-len(parts[1]) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (ValueError, UnicodeError):
        return {}
    return data if isinstance(data, dict) else {}
