"""The connection test's "Token" step (OAuth2 configs, before AUTH): get an access token from
the flow's endpoint and check it carries the permission the SMTP server wants."""

from __future__ import annotations

import datetime
from typing import Any

from smtpops.oauth.credentials import OAuthCredentials
from smtpops.oauth.flows import FLOWS
from smtpops.oauth.token import TokenError, acquire
from smtpops.probe.auth import authenticate_token
from smtpops.probe.failure import Failure
from smtpops.probe.reply_errors import reply_error
from smtpops.probe.session import ReadError
from smtpops.probe.state import Outcome, Probe
from smtpops.probe.steps import offered_mechanisms

# what the SMTP server checks in a Microsoft token, per flow
_MICROSOFT_NEEDS = {"microsoft-app-only": "SMTP.SendAsApp", "microsoft-delegated": "SMTP.Send"}


def _facts(p: Probe) -> dict[str, Any]:
    oauth = p.config.oauth
    return {
        "flow": oauth.flow if oauth else "",
        "tenant": (oauth.tenant if oauth else None) or "",
        "client_id": (oauth.client_id if oauth else None) or "",
        "endpoint": "",
        "code": "",
        "description": "",
        "permission": _MICROSOFT_NEEDS.get(oauth.flow or "", "") if oauth else "",
    }


def token(p: Probe) -> Outcome:
    facts = _facts(p)
    credentials = p.password
    if not isinstance(credentials, OAuthCredentials):
        raise Failure("token.no_credentials", **facts)
    try:
        got = acquire(p.config, credentials, base_dir=p.options.base_dir, timeout=p.timeout())
    except TokenError as exc:
        facts |= {"endpoint": exc.endpoint, "code": exc.code, "description": exc.description}
        raise Failure(f"token.{exc.kind}", exc.code, **facts) from None
    p.token = got
    facts["endpoint"] = got.endpoint
    needed = facts["permission"]
    granted = got.roles if facts["flow"] == "microsoft-app-only" else got.scopes
    if needed and not any(g == needed or g.endswith("/" + needed) for g in granted):
        raise Failure("token.missing_permission", **facts, granted=", ".join(granted) or "none")
    expires = datetime.datetime.fromtimestamp(got.expires_at, datetime.UTC)
    shown = f"permissions {', '.join(got.roles)}" if got.roles else f"scopes {' '.join(got.scopes)}"
    flow = FLOWS[got.flow].title
    p.facts["token_endpoint"] = got.endpoint
    return Outcome(
        f"{flow} from {got.endpoint}: {shown}; valid for {got.expires_in() // 60} min "
        f"(until {expires:%H:%M} UTC)",
        {
            "endpoint": got.endpoint,
            "flow": got.flow,
            "scopes": list(got.scopes),
            "roles": list(got.roles),
            "expires_at": expires.isoformat(timespec="seconds"),
            "expires_in": got.expires_in(),
        },
    )


def _challenge_error(challenge: dict[str, str]) -> str:
    status = challenge.get("status", "")
    if status in ("401", "invalid_token"):
        return "auth.token_invalid"
    if status in ("403", "insufficient_scope"):
        return "auth.token_scope"
    return "auth.token_refused"


def token_auth(p: Probe) -> Outcome:
    """AUTH XOAUTH2 / OAUTHBEARER with the token of the Token step."""
    mechanism = p.config.auth_protocol
    offered = offered_mechanisms(p)
    if p.token is None:
        raise Failure("auth.no_token")
    username = p.config.username or ""
    assert p.session is not None
    try:
        reply, challenge = authenticate_token(
            p.session, mechanism, username, p.token.value, p.host, p.port
        )
    except ReadError as exc:
        raise Failure(
            f"auth.{exc.kind}", command=f"AUTH {mechanism}", seconds=p.wait, excerpt=exc.excerpt
        ) from None
    if reply.code != 235:
        facts = _facts(p)
        if challenge is not None:
            error = _challenge_error(challenge)
        else:
            error = reply_error("auth", reply, p.provider)
            if error in ("auth.failed", "auth.rejected") and facts["flow"].startswith("microsoft"):
                error = "auth.oauth_exchange"
        raise Failure(
            error,
            reply=str(reply),
            username=username,
            command=f"AUTH {mechanism}",
            status=(challenge or {}).get("status", ""),
            scope=(challenge or {}).get("scope", ""),
            challenge=challenge or {},
            data={"challenge": challenge} if challenge else {},
            **facts,
        )
    p.facts["auth_mechanism"] = mechanism
    return Outcome(
        f"{mechanism} as {username} with the OAuth2 token: {reply}",
        {"mechanism": mechanism, "offered": list(offered)},
    )
