"""AUTH: the authentication mechanism and where credentials travel."""

from collections.abc import Iterator

from smtpops.diagnostics import Severity
from smtpops.model import PASSWORD_MECHANISMS
from smtpops.providers import BasicAuthRetirement
from smtpops.rules.context import ConfigContext
from smtpops.rules.registry import Example, Hit, rule

_O365 = "host: smtp.office365.com\nmax_connections: 3\n"
_DEADLINE = "2027-01-02"  # a day the Microsoft 365 deadline has passed (doc examples)


@rule(
    id="AUTH002",
    name="plain-auth",
    severity=Severity.WARNING,
    message="PLAIN authentication sends the password only base64-encoded",
    hint="Keep PLAIN only inside TLS (STARTTLS or SSL/TLS) and only if the server needs it; LOGIN is the common choice.",
    why="Base64 is not encryption: without TLS anyone on the path can read the password.",
    bad=Example(yaml="auth_protocol: PLAIN\n"),
    good=Example(yaml="auth_protocol: LOGIN\n"),
    references=("RFC 4616",),
)
def plain_auth(ctx: ConfigContext) -> Iterator[Hit]:
    """Warn when PLAIN is chosen."""
    if ctx.config.auth_protocol == "PLAIN" and ctx.has("auth_protocol"):
        yield Hit(field=("auth_protocol",))


@rule(
    id="AUTH003",
    name="credentials-unencrypted",
    severity=Severity.ERROR,
    security=True,
    message="the username and password would be sent over an unencrypted connection",
    hint="Set 'tls: STARTTLS' (port 587) or 'tls: SSL/TLS' (port 465).",
    why="LOGIN and PLAIN put the password on the wire readable by anyone on the network path; CRAM-MD5 leaks a crackable hash.",
    bad=Example(yaml="tls: None\nport: 25\n"),
    good=Example(yaml="tls: STARTTLS\nport: 587\n"),
)
def credentials_unencrypted(ctx: ConfigContext) -> Iterator[Hit]:
    """Credentials must never cross an unencrypted connection (tokens: OAUTH002)."""
    if ctx.config.uses_token:
        return
    if ctx.config.tls == "None" and (ctx.config.username or ctx.config.password):
        yield Hit(field=("tls",))


def _retirement(ctx: ConfigContext) -> BasicAuthRetirement | None:
    provider = ctx.provider
    if provider is None or ctx.config.auth_protocol not in PASSWORD_MECHANISMS:
        return None
    return provider.basic_auth_retirement


def _past_deadline(ctx: ConfigContext, when: BasicAuthRetirement) -> bool:
    return ctx.today.isoformat() >= when.strict_error_from


def _enforced(ctx: ConfigContext, when: BasicAuthRetirement) -> bool:
    """The deadline applies with an error: a strict environment, the date passed, no recorded
    re-enablement."""
    return (
        ctx.policy.protected and _past_deadline(ctx, when) and not ctx.config.basic_auth_reenabled
    )


@rule(
    id="AUTH004",
    name="basic-auth-retiring",
    severity=Severity.WARNING,
    message="the provider is switching off password sign-in (basic authentication) for SMTP",
    hint="Move the config to OAuth2 (auth_protocol: XOAUTH2 with an oauth block).",
    why="When the provider switches basic authentication off, every sign-in with a password "
    "fails (Microsoft 365: 535 5.7.139 or 550 5.7.30) and the CRM's outage notices stop.",
    bad=Example(yaml=_O365),
    good=Example(yaml="host: smtp.example.com\n"),
    references=(
        "https://techcommunity.microsoft.com/blog/exchange/updated-exchange-online-smtp-auth-"
        "basic-authentication-deprecation-timeline/4489835",
    ),
)
def basic_auth_retiring(ctx: ConfigContext) -> Iterator[Hit]:
    """LOGIN/PLAIN with a provider that has a basic-auth retirement date: a warning with the
    dates (AUTH005 takes over in strict environments once the date has passed)."""
    when = _retirement(ctx)
    if when is None or _enforced(ctx, when):
        return
    field = ("auth_protocol",) if ctx.has("auth_protocol") else ("host",)
    if ctx.config.basic_auth_reenabled:
        yield Hit(
            field=("basic_auth_reenabled",),
            message=f"{when.text}; this config relies on basic authentication having been "
            f"re-enabled for the tenant ({ctx.config.basic_auth_reenabled})",
            hint="Re-enabling is temporary: plan the move to OAuth2 before the final removal. "
            + when.hint.split(". If ")[0]
            + ".",
        )
        return
    past = _past_deadline(ctx, when)
    status = (
        f"it is off by default since {when.disabled_by_default}"
        if past
        else f"from {when.strict_error_from} this is an error in strict environments (production)"
    )
    yield Hit(field=field, message=f"{when.text}; {status}", hint=when.hint)


@rule(
    id="AUTH005",
    name="basic-auth-disabled",
    severity=Severity.ERROR,
    message="the provider has switched off password sign-in (basic authentication) for SMTP",
    hint="Move the config to OAuth2 (auth_protocol: XOAUTH2 with an oauth block), or record in "
    "basic_auth_reenabled why the tenant still accepts passwords.",
    why="Since the deadline, tenants reject passwords over SMTP by default: a production config "
    "that still uses one stops sending unless an administrator re-enabled it.",
    bad=Example(yaml=_O365, environment="production", today=_DEADLINE),
    good=Example(
        yaml=_O365 + "basic_auth_reenabled: 'Re-enabled by IT on 2027-01-04, change CHG-1234'\n",
        environment="production",
        today=_DEADLINE,
    ),
)
def basic_auth_disabled(ctx: ConfigContext) -> Iterator[Hit]:
    """LOGIN/PLAIN with such a provider in a strict environment once the date has passed,
    unless basic_auth_reenabled gives the reason it still works."""
    when = _retirement(ctx)
    if when is None or not _enforced(ctx, when):
        return
    field = ("auth_protocol",) if ctx.has("auth_protocol") else ("host",)
    yield Hit(
        field=field,
        message=f"{when.text}; since {when.strict_error_from} a password config is an error "
        f"in {ctx.environment.name if ctx.environment else 'this'} environment",
        hint=when.hint,
    )
