"""Google tokens with google-auth: a user's refresh token (``google.oauth2.credentials``) or a
service account with domain-wide delegation (``google.oauth2.service_account``, the subject
is the mailbox). The token endpoint is overridable; the Requests transport uses our session."""

from __future__ import annotations

import calendar
import json
import time
from typing import Any

from smtpops.oauth.credentials import OAuthCredentials
from smtpops.oauth.failures import from_oauth, from_transport
from smtpops.oauth.grant import AccessToken, TokenError, TokenRequest
from smtpops.secret import Secret


def _service_account(request: TokenRequest, creds: OAuthCredentials) -> Any:
    # lazy: google-auth loads only where a Google token is requested
    from google.oauth2 import service_account

    key = creds.part("service_account_key")
    endpoint = request.token_url or ""
    if key is None:
        raise TokenError("not_configured", endpoint=endpoint)
    try:
        info = json.loads(key.reveal())
        account = service_account.Credentials.from_service_account_info(  # type: ignore[no-untyped-call]
            info, scopes=list(request.scopes)
        )
    except (ValueError, KeyError, TypeError):
        # never the exception text: it may quote the key
        raise TokenError("bad_key", endpoint=endpoint) from None
    account = account.with_subject(request.subject)
    return account.with_token_uri(request.token_url) if request.token_url else account


def _user(request: TokenRequest, creds: OAuthCredentials) -> Any:
    # lazy: google-auth loads only where a Google token is requested
    from google.oauth2 import credentials

    refresh, secret = creds.part("refresh_token"), creds.part("client_secret")
    if refresh is None or secret is None:
        raise TokenError("not_configured", endpoint=request.token_url or "")
    return credentials.Credentials(  # type: ignore[no-untyped-call]
        token=None,
        refresh_token=refresh.reveal(),
        token_uri=request.token_url,
        client_id=request.client_id,
        client_secret=secret.reveal(),
        scopes=list(request.scopes),
    )


def fetch(request: TokenRequest, creds: OAuthCredentials, http: Any) -> AccessToken:
    # lazy: google-auth loads only where a Google token is requested
    from google.auth import exceptions
    from google.auth.transport.requests import Request

    endpoint = request.token_url or ""
    if request.flow == "google-service-account":
        google_creds = _service_account(request, creds)
    else:
        google_creds = _user(request, creds)
    try:
        google_creds.refresh(Request(session=http))
    except exceptions.RefreshError as exc:
        data = exc.args[1] if len(exc.args) > 1 and isinstance(exc.args[1], dict) else {}
        error = str(data.get("error") or "")
        raise from_oauth(error, str(data.get("error_description") or ""), endpoint) from None
    except exceptions.TransportError as exc:
        cause = exc.__cause__ or exc.__context__ or exc
        raise from_transport(cause, endpoint) from None
    expiry = google_creds.expiry  # naive UTC
    expires_at = calendar.timegm(expiry.timetuple()) if expiry else time.time() + 3599
    granted = getattr(google_creds, "granted_scopes", None) or request.scopes
    return AccessToken(
        value=Secret(str(google_creds.token)),
        expires_at=float(expires_at),
        scopes=tuple(granted),
        endpoint=endpoint,
        flow=request.flow,
    )
