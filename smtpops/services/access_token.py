"""A fresh OAuth2 access token for one config: decrypt the oauth block in memory, ask the token
endpoint, explain a refusal in plain words. Nothing is written.

``smtpops token`` prints it (:func:`fresh_token`); render, exec, apply and the agent hand it to
their consumer (:func:`for_delivery`, after the consumer's ``oauth`` support said it can use
one), so a refusal reads the same everywhere.
"""

from __future__ import annotations

from smtpops import yamlio
from smtpops.delivery import oauth_support
from smtpops.delivery import source as sources
from smtpops.delivery.oauth_support import OAuthSupport
from smtpops.delivery.source import Source
from smtpops.delivery.values import Delivery
from smtpops.errors import CheckFailed, InputError, UsageError
from smtpops.model import Config
from smtpops.oauth.credentials import OAuthCredentials
from smtpops.oauth.token import AccessToken, TokenError, acquire
from smtpops.probe.token_advice import explain
from smtpops.records import record
from smtpops.services import decryption
from smtpops.services.repository import Target

__all__ = ["Handed", "for_delivery", "fresh_token", "obtain"]


def obtain(config: Config, credentials: OAuthCredentials, *, root: str, label: str) -> AccessToken:
    """A token just obtained for ``config`` (never from a cache); CheckFailed with the reason
    and the fix, scrubbed of every secret part, when the endpoint refuses."""
    try:
        return acquire(config, credentials, base_dir=root, fresh=True)
    except TokenError as exc:
        oauth = config.oauth
        context = {
            "flow": (oauth.flow if oauth else "") or "",
            "tenant": (oauth.tenant if oauth else "") or "",
            "client_id": (oauth.client_id if oauth else "") or "",
            "endpoint": exc.endpoint,
            "code": exc.code,
            "description": exc.description,
        }
        message, hint = explain(f"token.{exc.kind}", context) or (exc.kind, "")
        raise CheckFailed(
            credentials.scrub(f"no token for {label}: {message}"),
            hint=credentials.scrub(hint),
        ) from None


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
    return config, obtain(config, credentials, root=target.root, label=target.label)


@record(frozen=True, kw_only=True)
class Handed:
    """What an OAuth2 config gives a consumer: a fresh token, or (for a consumer that gets its
    own) the decrypted secret parts; both None for a password config."""

    token: AccessToken | None = None
    credentials: OAuthCredentials | None = None


def for_delivery(src: Source, d: Delivery, support: OAuthSupport, consumer: str) -> Handed:
    """What ``consumer`` (e.g. "the spring format") gets for the config ``src``: refused first
    when it cannot sign in with a token (:func:`oauth_support.require`), then the token or the
    credentials it carries."""
    oauth_support.require(support, d, consumer)
    if not d.uses_token:
        return Handed()
    credentials = sources.decrypt_oauth(src)
    if oauth_support.wants_credentials(support, d):
        return Handed(credentials=credentials)
    token = obtain(src.config, credentials, root=src.root, label=src.label)
    return Handed(token=token)
