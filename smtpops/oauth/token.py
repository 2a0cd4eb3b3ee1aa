"""Getting an access token for a config: which endpoint and scopes (the config, else the
provider's facts), the library per flow family, and an in-memory cache refreshed before expiry.

    token = acquire(config, credentials, base_dir=root)   # AccessToken; raises TokenError
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from smtpops.model import Config
from smtpops.oauth import generic, google_, microsoft
from smtpops.oauth.credentials import OAuthCredentials
from smtpops.oauth.flows import FLOWS
from smtpops.oauth.grant import AccessToken, TokenError, TokenRequest, claims
from smtpops.oauth.transport import session
from smtpops.providers import catalog, detect

__all__ = ["AccessToken", "TokenError", "TokenRequest", "acquire", "claims", "forget", "plan"]

REFRESH_MARGIN = 300.0  # seconds: a cached token this close to expiry is renewed
MICROSOFT_AUTHORITY = "https://login.microsoftonline.com/{tenant}"
GOOGLE_TOKEN_URL = "https://oauth2.googleapis.com/token"


def _fill(template: str | None, tenant: str | None) -> str | None:
    return template.replace("{tenant}", tenant or "common") if template else None


def plan(config: Config) -> TokenRequest:
    """The request for ``config``: its own settings first, else its provider's facts."""
    oauth = config.oauth
    if oauth is None or oauth.flow not in FLOWS:
        raise TokenError("not_configured")
    providers = catalog()
    provider = providers.get(config.provider or "") or detect(config.host or "", providers)
    facts = provider.oauth_flow(oauth.flow) if provider else None
    flow = FLOWS[oauth.flow]
    authority = oauth.authority or _fill(facts.authority if facts else None, oauth.tenant)
    if flow.family == "microsoft" and authority is None:
        authority = _fill(MICROSOFT_AUTHORITY, oauth.tenant)
    token_url = oauth.token_url or (
        None if oauth.authority else _fill(facts.token_url if facts else None, oauth.tenant)
    )
    if flow.family == "google" and token_url is None:
        token_url = GOOGLE_TOKEN_URL
    return TokenRequest(
        flow=flow.id,
        family=flow.family,
        scopes=oauth.scopes or (facts.scopes if facts else ()),
        authority=authority if flow.family == "microsoft" else None,
        token_url=token_url,
        subject=config.username or "",
        tenant=oauth.tenant,
        client_id=oauth.client_id,
        ca_file=oauth.ca_file,
    )


Fetch = Callable[[TokenRequest, OAuthCredentials, Any], AccessToken]


FAMILIES: dict[str, Fetch] = {
    "microsoft": microsoft.fetch,
    "google": google_.fetch,
    "generic": generic.fetch,
}


_cache: dict[tuple[Any, ...], AccessToken] = {}
_lock = threading.Lock()


def _key(request: TokenRequest, credentials: OAuthCredentials) -> tuple[Any, ...]:
    fingerprint = hash(tuple(sorted((k, hash(v.reveal())) for k, v in credentials.parts.items())))
    return (request, fingerprint)


def acquire(
    config: Config,
    credentials: OAuthCredentials,
    *,
    base_dir: str | None = None,
    timeout: float = 30.0,
    fresh: bool = False,
) -> AccessToken:
    """A token valid for at least REFRESH_MARGIN seconds: from the in-memory cache, else from
    the endpoint. Never written anywhere. ``fresh`` skips the cache."""
    request = plan(config)
    key = _key(request, credentials)
    with _lock:
        cached = None if fresh else _cache.get(key)
    if cached is not None and cached.expires_in() > REFRESH_MARGIN:
        credentials.remember(cached.value)
        return cached
    http = session(request.ca_file, timeout, base_dir)
    try:
        token = FAMILIES[request.family](request, credentials, http)
    finally:
        http.close()
    credentials.remember(token.value)
    with _lock:
        _cache[key] = token
    return token


def forget() -> None:
    """Drop every cached token (tests; a long-running process after a secret change)."""
    with _lock:
        _cache.clear()
