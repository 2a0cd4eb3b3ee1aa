"""The one neutral reading of a config for delivery, and the ``SMTP_*`` names that the
``env`` format, ``smtpops exec`` and the ``k8s-secret`` format share."""

from __future__ import annotations

import json
import os

from smtpops.delivery.digest import digest
from smtpops.delivery.source import Source
from smtpops.errors import InputError
from smtpops.model import OAUTH_SECRET_FIELDS, TOKEN_MECHANISMS, Config
from smtpops.oauth.credentials import OAuthCredentials
from smtpops.oauth.grant import AccessToken
from smtpops.oauth.token import plan as token_plan
from smtpops.records import record
from smtpops.secret import Secret


@record(frozen=True, kw_only=True)
class Delivery:
    """What every renderer reads. No field holds a secret."""

    environment: str
    config: str  # ENV/NAME
    digest: str
    host: str
    port: int
    tls: str  # STARTTLS | SSL/TLS | None
    verify_certificate: bool
    ca_file: str | None  # as written in the config (relative to the repository root)
    ca_path: str | None  # absolute path in the checkout it was read from
    ca_pem: bytes | None
    auth_protocol: str  # as written, upper case (XOAUTH2, OAUTHBEARER: uses_token)
    username: str | None
    from_address: str | None
    helo_hostname: str
    max_connections: int
    retries: int
    idle_timeout: int  # seconds
    wait_timeout: int  # seconds
    headers: tuple[tuple[str, str], ...]

    @property
    def uses_token(self) -> bool:
        """Signs in with an OAuth2 access token (XOAUTH2/OAUTHBEARER), not a password."""
        return self.auth_protocol in TOKEN_MECHANISMS

    @property
    def implicit_tls(self) -> bool:
        return self.tls == "SSL/TLS"

    @property
    def starttls(self) -> bool:
        return self.tls == "STARTTLS"


def _headers(lines: list[tuple[int, str]], label: str) -> tuple[tuple[str, str], ...]:
    found = []
    for _, line in lines:
        name, sep, value = line.partition(":")
        if not sep or not name.strip():
            raise InputError(
                f"{label}: custom header '{line.strip()}' is not 'Name: value'",
                hint="Run `smtpops validate` and fix the custom_headers field.",
            )
        found.append((name.strip(), value.strip()))
    return tuple(found)


def from_source(source: Source) -> Delivery:
    config = source.config
    if not config.host or not config.port:
        raise InputError(
            f"{source.label}: the config has no host or port",
            hint=f"Run `smtpops validate {source.rel}` and fix it first.",
        )
    raw_auth = source.data.get("auth_protocol", config.auth_protocol)
    ca_path = (
        os.path.normpath(os.path.join(source.root, config.ca_file)) if config.ca_file else None
    )
    return Delivery(
        environment=source.environment,
        config=source.label,
        digest=digest(source),
        host=config.host,
        port=config.port,
        tls=config.tls,
        verify_certificate=config.verify_certificate,
        ca_file=config.ca_file,
        ca_path=ca_path,
        ca_pem=source.ca_pem,
        auth_protocol=str(raw_auth).upper(),
        username=config.username,
        from_address=config.sender,
        helo_hostname=config.helo_hostname or "localhost",
        max_connections=config.max_connections or 10,
        retries=config.retries if config.retries is not None else 3,
        idle_timeout=config.idle_timeout or 30,
        wait_timeout=config.wait_timeout or 30,
        headers=_headers(config.custom_headers, source.label),
    )


def env_vars(
    d: Delivery, password: Secret | None, token: AccessToken | None = None
) -> dict[str, str]:
    """The ``SMTP_*`` variables, in a fixed order (README "render formats" lists them). An
    OAuth2 config gets ``SMTP_PASSWORD`` empty and, right after it, its access token in
    ``SMTP_ACCESS_TOKEN`` with ``SMTP_ACCESS_TOKEN_EXPIRES_AT`` (seconds since the epoch)."""
    if not d.uses_token:
        return settings_vars(d, password)
    if token is None:
        raise InputError(
            f"{d.config} signs in with {d.auth_protocol}: it needs an access token, not a password"
        )
    values = {}
    for name, value in settings_vars(d, None).items():
        values[name] = value
        if name == "SMTP_PASSWORD":
            values |= token_vars(token)
    return values


def settings_vars(d: Delivery, password: Secret | None) -> dict[str, str]:
    """The ``SMTP_*`` variables every consumer gets, the password's included (empty when
    there is none, as for an OAuth2 config)."""
    return {
        "SMTP_HOST": d.host,
        "SMTP_PORT": str(d.port),
        "SMTP_TLS": d.tls,
        "SMTP_VERIFY_CERTIFICATE": "true" if d.verify_certificate else "false",
        "SMTP_CA_FILE": d.ca_path or "",
        "SMTP_AUTH_PROTOCOL": d.auth_protocol,
        "SMTP_USERNAME": d.username or "",
        "SMTP_PASSWORD": password.reveal() if password else "",
        "SMTP_FROM_ADDRESS": d.from_address or "",
        "SMTP_HELO_HOSTNAME": d.helo_hostname,
        "SMTP_MAX_CONNECTIONS": str(d.max_connections),
        "SMTP_RETRIES": str(d.retries),
        "SMTP_IDLE_TIMEOUT": str(d.idle_timeout),
        "SMTP_WAIT_TIMEOUT": str(d.wait_timeout),
        "SMTP_CUSTOM_HEADERS": json.dumps(dict(d.headers), ensure_ascii=False),
        "SMTP_CONFIG": d.config,
        "SMTP_CONFIG_DIGEST": d.digest,
    }


def token_vars(token: AccessToken) -> dict[str, str]:
    return {
        "SMTP_ACCESS_TOKEN": token.value.reveal(),
        "SMTP_ACCESS_TOKEN_EXPIRES_AT": str(int(token.expires_at)),
    }


def oauth_name(part: str) -> str:
    """The variable an oauth block's field travels in (``client_secret`` →
    ``SMTP_OAUTH_CLIENT_SECRET``)."""
    return "SMTP_OAUTH_" + part.upper()


def oauth_vars(config: Config, credentials: OAuthCredentials) -> dict[str, str]:
    """An OAuth2 config's settings for a consumer that gets its own tokens (``k8s-secret``):
    the flow and the token endpoint as smtpops resolves them (the config, else the provider's
    facts), the client ID and scopes, and the decrypted secret parts, which the caller must
    encrypt again. No access token."""
    request = token_plan(config)
    found = {
        "SMTP_OAUTH_FLOW": request.flow,
        "SMTP_OAUTH_TOKEN_URL": request.token_url or "",
        "SMTP_OAUTH_AUTHORITY": request.authority or "",
        "SMTP_OAUTH_TENANT": request.tenant or "",
        "SMTP_OAUTH_CLIENT_ID": request.client_id or "",
        "SMTP_OAUTH_SCOPE": " ".join(request.scopes),
    }
    if config.oauth and config.oauth.certificate_thumbprint:
        found[oauth_name("certificate_thumbprint")] = config.oauth.certificate_thumbprint
    for part in OAUTH_SECRET_FIELDS:
        value = credentials.part(part)
        if value is not None:
            found[oauth_name(part)] = value.reveal()
    return found
