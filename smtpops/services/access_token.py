"""A fresh OAuth2 access token for one config (``smtpops token``): decrypt the oauth block in
memory, ask the token endpoint, explain a refusal in plain words. Nothing is written."""

from __future__ import annotations

from smtpops import yamlio
from smtpops.errors import CheckFailed, InputError, UsageError
from smtpops.model import Config
from smtpops.oauth.credentials import OAuthCredentials
from smtpops.oauth.token import AccessToken, TokenError, acquire
from smtpops.probe.token_advice import explain
from smtpops.services import decryption
from smtpops.services.repository import Target

__all__ = ["fresh_token"]


def fresh_token(
    target: Target, *, decrypt: decryption.Decrypt = decryption.decrypt_credentials
) -> tuple[Config, AccessToken]:
    """The config and a token just obtained for it (never from a cache). Raises UsageError for
    a password config, CheckFailed (with the reason and the fix) when the endpoint refuses."""
    try:
        data = yamlio.load_path(target.path).data
    except (OSError, yamlio.LoadError) as exc:
        raise InputError(f"{target.path}: cannot be read ({exc})") from None
    config = Config.from_raw(data if isinstance(data, dict) else {})
    if not config.uses_token or config.oauth is None:
        raise UsageError(
            f"{target.path} signs in with a password ({config.auth_protocol}), not an OAuth2 token",
            hint="Only configs with auth_protocol: XOAUTH2 or OAUTHBEARER have a token.",
        )
    credentials = decrypt(target.path)
    if not isinstance(credentials, OAuthCredentials):
        raise UsageError(f"{target.path}: the oauth block could not be decrypted")
    try:
        return config, acquire(config, credentials, base_dir=target.root, fresh=True)
    except TokenError as exc:
        context = {
            "flow": config.oauth.flow or "",
            "tenant": config.oauth.tenant or "",
            "client_id": config.oauth.client_id or "",
            "endpoint": exc.endpoint,
            "code": exc.code,
            "description": exc.description,
        }
        message, hint = explain(f"token.{exc.kind}", context) or (exc.kind, "")
        raise CheckFailed(
            credentials.scrub(f"no token for {target.label}: {message}"),
            hint=credentials.scrub(hint),
        ) from None
