"""Microsoft Entra tokens with msal: client credentials (secret or certificate) and the
delegated refresh-token flow. The authority is overridable (sovereign clouds, tests) and
instance discovery is off, so msal talks only to the authority it is given (it reads the
authority's OpenID configuration, then posts to its token endpoint)."""

from __future__ import annotations

import time
from typing import Any

from smtpops.oauth.credentials import OAuthCredentials
from smtpops.oauth.failures import from_microsoft, from_transport
from smtpops.oauth.grant import AccessToken, TokenError, TokenRequest, claims
from smtpops.secret import Secret

_RESERVED = {"offline_access", "openid", "profile"}  # msal adds these itself


def _credential(request: TokenRequest, creds: OAuthCredentials) -> Any:
    key = creds.part("private_key")
    thumbprint = creds.settings.certificate_thumbprint
    if key and thumbprint:
        return {"private_key": key.reveal(), "thumbprint": thumbprint}
    secret = creds.part("client_secret")
    return secret.reveal() if secret else None


def _application(request: TokenRequest, creds: OAuthCredentials, http: Any) -> Any:
    # lazy: msal (and requests) load only where a Microsoft token is requested
    import msal

    credential = _credential(request, creds)
    options: dict[str, Any] = {
        "authority": request.authority,
        "http_client": http,
        "instance_discovery": False,
    }
    try:
        if credential is None:
            return msal.PublicClientApplication(request.client_id, **options)
        return msal.ConfidentialClientApplication(
            request.client_id, client_credential=credential, **options
        )
    except ValueError as exc:  # the authority's OpenID configuration could not be read
        text = str(exc)
        kind = "wrong_tenant" if "400" in text or "tenant" in text.lower() else "unreachable"
        raise TokenError(kind, endpoint=request.authority or "", description=text[:200]) from None


def fetch(request: TokenRequest, creds: OAuthCredentials, http: Any) -> AccessToken:
    # lazy: requests loads only where a token is requested
    import requests

    endpoint = request.authority or ""
    try:
        app = _application(request, creds, http)
        endpoint = getattr(getattr(app, "authority", None), "token_endpoint", endpoint)
        scopes = [s for s in request.scopes if s not in _RESERVED]
        if request.flow == "microsoft-delegated":
            refresh = creds.part("refresh_token")
            if refresh is None:
                raise TokenError("not_configured", endpoint=endpoint)
            result = app.acquire_token_by_refresh_token(refresh.reveal(), scopes=scopes)
        else:
            result = app.acquire_token_for_client(scopes=scopes)
    except requests.RequestException as exc:
        raise from_transport(exc, endpoint) from None
    if not isinstance(result, dict) or "access_token" not in result:
        raise from_microsoft(result if isinstance(result, dict) else {}, endpoint)
    token = str(result["access_token"])
    payload = claims(token)
    granted = str(result.get("scope") or payload.get("scp") or "").split()
    return AccessToken(
        value=Secret(token),
        expires_at=time.time() + float(result.get("expires_in") or 3599),
        scopes=tuple(granted or request.scopes),
        endpoint=endpoint,
        flow=request.flow,
        roles=tuple(str(r) for r in payload.get("roles") or ()),
    )
