"""Any OAuth2 token endpoint, with a plain HTTPS POST (RFC 6749): the client credentials
grant, or the refresh token grant when the block has a refresh token."""

from __future__ import annotations

import time
from typing import Any

from smtpops.oauth.credentials import OAuthCredentials
from smtpops.oauth.failures import from_oauth, from_transport
from smtpops.oauth.grant import AccessToken, TokenError, TokenRequest
from smtpops.secret import Secret


def fetch(request: TokenRequest, creds: OAuthCredentials, http: Any) -> AccessToken:
    # lazy: requests loads only where a token is requested
    import requests

    endpoint = request.token_url or ""
    form: dict[str, str] = {"client_id": request.client_id or ""}
    refresh, secret = creds.part("refresh_token"), creds.part("client_secret")
    if refresh is not None:
        form |= {"grant_type": "refresh_token", "refresh_token": refresh.reveal()}
    elif secret is not None:
        form |= {"grant_type": "client_credentials"}
    else:
        raise TokenError("not_configured", endpoint=endpoint)
    if secret is not None:
        form["client_secret"] = secret.reveal()
    if request.scopes:
        form["scope"] = " ".join(request.scopes)
    try:
        response = http.post(endpoint, data=form, headers={"Accept": "application/json"})
    except requests.RequestException as exc:
        raise from_transport(exc, endpoint) from None
    finally:
        form.clear()
    try:
        body = response.json()
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    if response.status_code != 200 or "access_token" not in body:
        error = str(body.get("error") or f"HTTP {response.status_code}")
        raise from_oauth(error, str(body.get("error_description") or ""), endpoint)
    return AccessToken(
        value=Secret(str(body["access_token"])),
        expires_at=time.time() + float(body.get("expires_in") or 3600),
        scopes=tuple(str(body.get("scope") or " ".join(request.scopes)).split()),
        endpoint=endpoint,
        flow=request.flow,
    )
