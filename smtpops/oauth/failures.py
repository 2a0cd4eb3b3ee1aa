"""The token endpoint's error answers (RFC 6749 codes, Microsoft's AADSTS numbers, Google's
descriptions) and transport problems, classified into the failure kinds advice explains."""

from __future__ import annotations

import re
from typing import Any

from smtpops.oauth.grant import TokenError

# Microsoft Entra: AADSTS number -> kind
AADSTS: dict[int, str] = {
    90002: "wrong_tenant",  # tenant not found
    900023: "wrong_tenant",  # tenant identifier is not valid
    700016: "unknown_client",  # application not found in the directory
    7000215: "bad_secret",  # invalid client secret provided
    7000222: "expired_secret",  # the client secret keys have expired
    65001: "consent_missing",  # the user or administrator has not consented
    650057: "consent_missing",  # invalid resource: permission not configured
    700027: "bad_certificate",  # client assertion failed signature validation
    700024: "bad_certificate",  # client assertion not within its valid time range
    70011: "invalid_scope",
    500011: "invalid_scope",  # resource principal not found in the tenant
    70008: "refresh_expired",
    700082: "refresh_expired",  # expired through inactivity
    50173: "refresh_expired",  # the grant was revoked (password change)
    70000: "refresh_expired",
    50076: "policy_blocked",  # MFA required
    50079: "policy_blocked",
    53003: "policy_blocked",  # Conditional Access
    7000112: "app_disabled",
}
_AADSTS = re.compile(r"AADSTS(\d+)")
# RFC 6749 error codes (Google, generic endpoints) -> kind
OAUTH_CODES = {
    "invalid_client": "bad_secret",
    "unauthorized_client": "consent_missing",
    "access_denied": "consent_missing",
    "invalid_scope": "invalid_scope",
    "invalid_grant": "refresh_expired",
    "invalid_request": "rejected",
    "unsupported_grant_type": "rejected",
}


def from_microsoft(result: dict[str, Any], endpoint: str) -> TokenError:
    """The TokenError for an msal error result (``error``, ``error_description``,
    ``error_codes``)."""
    description = str(result.get("error_description") or "")
    listed = result.get("error_codes")
    codes = [
        int(c)
        for c in (listed if isinstance(listed, list) else [])
        if isinstance(c, int) or (isinstance(c, str) and c.isascii() and c.isdigit())
    ]
    codes += [int(n) for n in _AADSTS.findall(description)]
    kind = next((AADSTS[c] for c in codes if c in AADSTS), None)
    error = str(result.get("error") or "")
    return TokenError(
        kind or OAUTH_CODES.get(error, "rejected"),
        endpoint=endpoint,
        code=f"AADSTS{codes[0]}" if codes else error,
        description=description.split("\r\n")[0].split(" Trace ID")[0],
    )


def from_oauth(error: str, description: str, endpoint: str) -> TokenError:
    """An RFC 6749 error answer; Google's invalid_grant for a service account is a key or
    delegation problem, not an expired refresh token."""
    kind = OAUTH_CODES.get(error, "rejected")
    low = description.lower()
    if error == "invalid_grant" and ("jwt" in low or "signature" in low):
        kind = "bad_key"
    if error == "invalid_client" and "expired" in low:
        kind = "expired_secret"
    if error == "invalid_client" and "not found" in low:
        kind = "unknown_client"
    return TokenError(kind, endpoint=endpoint, code=error, description=description)


def from_transport(exc: BaseException, endpoint: str) -> TokenError:
    """A requests exception (no answer, TLS failure, timeout) as a TokenError."""
    # lazy: requests loads only where a token is requested
    import requests

    if isinstance(exc, requests.exceptions.SSLError):
        return TokenError("certificate", endpoint=endpoint, description=_first_line(exc))
    if isinstance(exc, requests.exceptions.Timeout):
        return TokenError("timeout", endpoint=endpoint)
    return TokenError("unreachable", endpoint=endpoint, description=_first_line(exc))


def _first_line(exc: BaseException) -> str:
    text = str(exc)
    reason = re.search(r"\(Caused by \w+\((.*)\)\)", text)
    return (reason.group(1) if reason else text).splitlines()[0][:200]
