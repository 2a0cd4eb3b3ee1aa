"""What every format is: a name, whether its output carries the plaintext password, what it
does with an OAuth2 sign-in (:class:`~smtpops.delivery.oauth_support.OAuthSupport`), and a
render function from a :class:`Context` to :class:`Rendered` files."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from dataclasses import field

from smtpops.delivery.oauth_support import ANY_TOKEN, OAuthSupport
from smtpops.delivery.source import Source
from smtpops.delivery.values import Delivery
from smtpops.errors import InputError, UsageError
from smtpops.model import TOKEN_MECHANISMS, parse_duration
from smtpops.oauth.credentials import OAuthCredentials
from smtpops.oauth.grant import AccessToken
from smtpops.records import record
from smtpops.secret import Secret

SUPPORTED_AUTH = ("LOGIN", "PLAIN", "CRAM-MD5")


@record(frozen=True, kw_only=True)
class Context:
    delivery: Delivery
    source: Source
    password: Secret | None
    options: Mapping[str, str] = field(default_factory=dict)
    token: AccessToken | None = None  # an OAuth2 config, for a format that carries a token
    credentials: OAuthCredentials | None = None  # ... for one that carries them (encrypted)

    def access_token(self) -> AccessToken:
        """The token an OAuth2 config's render needs (the render service obtained it)."""
        if self.token is None:
            raise InputError(f"{self.delivery.config}: no access token was obtained to render")
        return self.token


@record(frozen=True, kw_only=True)
class OutputFile:
    name: str  # a file name (no folders)
    data: bytes
    mode: int = 0o644
    plaintext: bool = False  # holds the plaintext password


@record(frozen=True, kw_only=True)
class Rendered:
    files: tuple[OutputFile, ...]

    @property
    def plaintext(self) -> bool:
        return any(f.plaintext for f in self.files)


@record(frozen=True, kw_only=True)
class Format:
    name: str
    summary: str
    render: Callable[[Context], Rendered]
    plaintext: bool  # the output carries the plaintext password
    directory: bool = False  # several files: --output DIR only
    options: tuple[str, ...] = ()  # names accepted by --option NAME=VALUE
    digest_of: Callable[[bytes], str | None] | None = None  # nondeterministic output only
    oauth: OAuthSupport = ANY_TOKEN  # what it carries for an XOAUTH2/OAUTHBEARER config


def single(name: str, text: str, *, plaintext: bool) -> Rendered:
    mode = 0o600 if plaintext else 0o644
    return Rendered(
        files=(OutputFile(name=name, data=text.encode("utf-8"), mode=mode, plaintext=plaintext),)
    )


def refuse_auth(ctx: Context, fmt: str, allowed: tuple[str, ...] = SUPPORTED_AUTH) -> None:
    """A password sign-in method the target cannot express is an error, never a silent
    fallback (a token sign-in is the format's ``oauth`` support, checked before rendering)."""
    auth = ctx.delivery.auth_protocol
    if auth not in allowed and auth not in TOKEN_MECHANISMS:
        raise InputError(
            f"{ctx.delivery.config}: the {fmt} format cannot sign in with {auth}",
            hint=f"Use one of {', '.join(allowed)} for this consumer, or the json/env format.",
        )


def option(ctx: Context, name: str, default: str) -> str:
    return ctx.options.get(name) or default


def seconds_value(options: Mapping[str, str], name: str, default: int) -> int:
    raw = options.get(name)
    if raw is None:
        return default
    value = parse_duration(raw)
    if value is None or value <= 0:
        raise UsageError(
            f"{name}={raw}: expected a number of seconds (e.g. 300 or 300s)",
            hint=f"Write e.g. {name}=300.",
        )
    return value


def expiry(token: AccessToken) -> str:
    """When a token expires, in UTC (ISO 8601), for the notes of a rendered file."""
    moment = datetime.datetime.fromtimestamp(int(token.expires_at), datetime.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def token_note(ctx: Context) -> str:
    """The plain words every artefact that holds an access token carries."""
    return (
        f"holds an OAuth2 access token that expires at {expiry(ctx.access_token())}: render it "
        f"again before then, or run the CRM under `smtpops exec {ctx.delivery.environment} --`"
    )
