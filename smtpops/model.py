"""The SMTP configuration as a typed value, with the spec's defaults.

The field names, defaults and allowed values come from the schema; the typed attributes of
:class:`Config` are written out (tests/test_fields.py checks they match the schema).

Built leniently from whatever the YAML holds: a field of the wrong type falls back to its
default here (the schema has already reported it), so that rules never crash on bad input.
"""

from __future__ import annotations

from typing import Any

from smtpops import schema
from smtpops.records import record

# Derived from the schema, the one source of truth for the fields (see smtpops.schema).
TLS_MODES: tuple[str, ...] = schema.choices("tls")
AUTH_PROTOCOLS: tuple[str, ...] = schema.choices("auth_protocol")
TOKEN_MECHANISMS = ("XOAUTH2", "OAUTHBEARER")  # sign in with an OAuth2 access token
PASSWORD_MECHANISMS = tuple(m for m in AUTH_PROTOCOLS if m not in TOKEN_MECHANISMS)
FIELDS: tuple[str, ...] = schema.fields()
METADATA_FIELDS: tuple[str, ...] = schema.tool_fields()
DEFAULTS: dict[str, Any] = schema.defaults()
_MAX_DURATION_DIGITS = 9  # int() refuses > 4300 digits; nobody waits 30 years


def parse_duration(value: Any) -> int | None:
    """Seconds from ``30`` or ``"30s"``; None when it is neither."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        # by hand, in linear time: the regex ^\s*([0-9]{1,9})\s*s?\s*$ backtracked through
        # every split of a long run of spaces (2.5 s for "1", 16,000 spaces and "!")
        text = value.strip()
        if text.endswith("s"):
            text = text[:-1].rstrip()
        if 0 < len(text) <= _MAX_DURATION_DIGITS and text.isascii() and text.isdigit():
            return int(text)
    return None


def parse_headers(value: Any) -> list[tuple[int, str]]:
    """The custom header lines, as (index, line) pairs; a mapping becomes 'Name: value' lines.

    The index is the line's offset inside a block string, or the key's order in a mapping.
    """
    if isinstance(value, str):
        return [(i, line) for i, line in enumerate(value.split("\n")) if line.strip()]
    if isinstance(value, dict):
        return [(i, f"{k}: {v}") for i, (k, v) in enumerate(value.items())]
    return []


def _typed(raw: dict[str, Any], name: str, kind: type | tuple[type, ...]) -> Any:
    value = raw.get(name, DEFAULTS.get(name))
    if isinstance(value, bool) and kind is int:
        return DEFAULTS.get(name)
    return value if isinstance(value, kind) else DEFAULTS.get(name)


OAUTH_SECRET_FIELDS: tuple[str, ...] = schema.secret_subfields("oauth")  # SOPS-encrypted


@record(frozen=True, kw_only=True)
class OAuthSettings:
    """The readable part of the ``oauth:`` block. Secret parts appear only as whether they are
    present (their values are ENC[...] text, decrypted by :mod:`smtpops.oauth.credentials`)."""

    flow: str | None
    tenant: str | None = None
    client_id: str | None = None
    certificate_thumbprint: str | None = None
    scope: str | None = None
    token_url: str | None = None
    authority: str | None = None
    ca_file: str | None = None
    secrets: frozenset[str] = frozenset()  # which of OAUTH_SECRET_FIELDS the block holds

    @property
    def scopes(self) -> tuple[str, ...]:
        return tuple(self.scope.split()) if self.scope else ()

    @classmethod
    def from_raw(cls, raw: Any) -> OAuthSettings | None:
        if not isinstance(raw, dict):
            return None

        def text(name: str) -> str | None:
            value = raw.get(name)
            return value if isinstance(value, str) and value.strip() else None

        return cls(
            flow=text("flow"),
            tenant=text("tenant"),
            client_id=text("client_id"),
            certificate_thumbprint=text("certificate_thumbprint"),
            scope=text("scope"),
            token_url=text("token_url"),
            authority=text("authority"),
            ca_file=text("ca_file"),
            secrets=frozenset(n for n in OAUTH_SECRET_FIELDS if text(n)),
        )


@record(frozen=True, kw_only=True)
class Config:
    name: str | None
    description: str | None
    active: bool
    provider: str | None
    host: str | None
    port: int | None
    tls: str
    verify_certificate: bool
    ca_file: str | None
    auth_protocol: str
    username: str | None
    password: str | None
    oauth: OAuthSettings | None = None
    from_address: str | None
    helo_hostname: str | None
    max_connections: int | None
    retries: int | None
    idle_timeout: int | None
    wait_timeout: int | None
    custom_headers: list[tuple[int, str]]
    basic_auth_reenabled: str | None = None

    @property
    def uses_token(self) -> bool:
        """Whether this config signs in with an OAuth2 access token (XOAUTH2/OAUTHBEARER)."""
        return self.auth_protocol in TOKEN_MECHANISMS

    @property
    def encrypted(self) -> bool:
        return bool(
            self.password and self.password.startswith("ENC[") and self.password.endswith("]")
        )

    @property
    def sender(self) -> str | None:
        """The envelope sender the runtime uses: from_address, else the username if it is an address."""
        if self.from_address:
            return self.from_address
        if self.username and "@" in self.username:
            return self.username
        return None

    @classmethod
    def from_raw(cls, raw: dict[str, Any]) -> Config:
        tls = _typed(raw, "tls", str)
        auth = _typed(raw, "auth_protocol", str)
        return cls(
            name=_typed(raw, "name", str),
            description=_typed(raw, "description", str),
            active=_typed(raw, "active", bool),
            provider=_typed(raw, "provider", str),
            host=_typed(raw, "host", str),
            port=_typed(raw, "port", int),
            tls=tls if tls in TLS_MODES else DEFAULTS["tls"],
            verify_certificate=_typed(raw, "verify_certificate", bool),
            ca_file=_typed(raw, "ca_file", str),
            auth_protocol=auth if auth in AUTH_PROTOCOLS else DEFAULTS["auth_protocol"],
            username=_typed(raw, "username", str),
            password=_typed(raw, "password", str),
            from_address=_typed(raw, "from_address", str),
            helo_hostname=_typed(raw, "helo_hostname", str),
            max_connections=_typed(raw, "max_connections", int),
            retries=_typed(raw, "retries", int),
            idle_timeout=parse_duration(raw.get("idle_timeout", DEFAULTS["idle_timeout"])),
            wait_timeout=parse_duration(raw.get("wait_timeout", DEFAULTS["wait_timeout"])),
            custom_headers=parse_headers(raw.get("custom_headers")),
            oauth=OAuthSettings.from_raw(raw.get("oauth")),
            basic_auth_reenabled=_typed(raw, "basic_auth_reenabled", str),
        )
