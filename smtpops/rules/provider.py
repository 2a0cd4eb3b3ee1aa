"""PROV: checks driven by the provider facts in ``providers/<id>/provider.yaml``.

Nothing here names a provider: hosts, ports, TLS modes, mechanisms, limits and notes all
come from the data, so adding a provider needs no change to this module. (PROV001, the
form of the ID, is a schema rule in ``fields.py``.)
"""

import dataclasses
from collections.abc import Iterator

from smtpops.diagnostics import Severity
from smtpops.providers import Notice, Provider, detect, resolve, suggest
from smtpops.rules.context import ConfigContext
from smtpops.rules.registry import Example, Hit, rule

_CUSTOM_FULL = (
    "provider: custom\nverify_certificate: true\nmax_connections: 10\nretries: 3\n"
    "idle_timeout: 30\nwait_timeout: 30\n"
)


def _declared(ctx: ConfigContext) -> bool:
    return bool(ctx.config.provider) and ctx.provider is not None


def _who(ctx: ConfigContext, provider: Provider) -> str:
    """'Gmail (…)' plus how we know, when the provider was recognised from the host."""
    if _declared(ctx):
        return provider.name
    return f"{provider.name} (recognised from the server name)"


@rule(
    id="PROV002",
    name="provider-unknown",
    severity=Severity.ERROR,
    message="the provider is not one smtpops knows",
    hint="Use an ID from `smtpops providers`, or provider: custom for any other server.",
    why=(
        "An unknown provider gets none of the provider checks (servers, ports, limits), so "
        "mistakes go unnoticed."
    ),
    bad=Example(yaml="provider: gmial\nhost: smtp.gmail.com\n"),
    good=Example(yaml="provider: gmail\nhost: smtp.gmail.com\n"),
)
def provider_unknown(ctx: ConfigContext) -> Iterator[Hit]:
    """A declared provider must be an ID of the catalog; aliases and near misses are suggested."""
    name = ctx.config.provider
    if not name or name in ctx.providers:
        return
    alias = resolve(name, ctx.providers)
    if alias:
        yield Hit(
            field=("provider",),
            message=f"'{name}' is another name for the provider '{alias.id}' ({alias.name})",
            hint=f"Write provider: {alias.id}",
        )
        return
    guess = suggest(name, ctx.providers)
    hint = f"Did you mean provider: {guess}? " if guess else ""
    yield Hit(
        field=("provider",),
        message=f"the provider '{name}' is not one smtpops knows",
        hint=hint
        + "`smtpops providers` lists them all; use provider: custom for any other server.",
    )


@rule(
    id="PROV003",
    name="provider-host-mismatch",
    severity=Severity.ERROR,
    message="the SMTP server does not belong to the provider named in the file",
    hint="Set the provider that owns the server, or use the provider's own server name.",
    why=(
        "A provider with another provider's server (e.g. Gmail with smtp.office365.com) is almost "
        "always a copy-paste mistake; mail fails or goes through the wrong account."
    ),
    bad=Example(yaml="provider: gmail\nhost: smtp.office365.com\n"),
    good=Example(yaml="provider: gmail\nhost: smtp.gmail.com\n"),
)
def provider_host_mismatch(ctx: ConfigContext) -> Iterator[Hit]:
    """The host must be one of the declared provider's hosts (or match its host patterns)."""
    provider, host = ctx.provider, (ctx.config.host or "").strip()
    if not _declared(ctx) or provider is None or provider.any_host or not host:
        return
    if provider.owns_host(host):
        return
    owner = detect(host, ctx.providers)
    own = provider.host_label
    if owner is not None:
        yield Hit(
            field=("host",),
            message=(
                f"the server {host} belongs to {owner.name} ({owner.id}), not to {provider.name}"
            ),
            hint=f"Set provider: {owner.id}, or use {provider.name}'s server {own}.",
        )
    else:
        yield Hit(
            field=("host",),
            message=f"the server {host} is not one of {provider.name}'s servers ({own})",
            hint=f"Use {own}, or set provider: custom if this is another server.",
        )


@rule(
    id="PROV004",
    name="provider-port-tls",
    severity=Severity.ERROR,
    message="the provider does not accept this port with this encryption setting",
    hint=(
        "Use one of the port and encryption pairs the provider lists in `smtpops providers show "
        "ID`."
    ),
    why=(
        "A port or encryption mode the provider does not offer makes every connection time out or "
        "fail, so no mail is sent."
    ),
    bad=Example(yaml="host: smtp.gmail.com\nport: 25\ntls: STARTTLS\n"),
    good=Example(yaml="host: smtp.gmail.com\nport: 465\ntls: SSL/TLS\n"),
)
def provider_port_tls(ctx: ConfigContext) -> Iterator[Hit]:
    """The (port, tls) pair must be one the provider's facts list."""
    provider, port, tls = ctx.provider, ctx.config.port, ctx.config.tls
    if provider is None or port is None or not 1 <= port <= 65535 or provider.allows(port, tls):
        return
    best = provider.recommended
    field = "port" if ctx.has("port") or not ctx.has("tls") else "tls"
    yield Hit(
        field=(field,),
        message=f"{_who(ctx, provider)} does not accept port {port} with {tls}; "
        f"it accepts {provider.describe_endpoints()}",
        hint=f"Use port: {best.port} with tls: {best.tls} (recommended for {provider.name})."
        if best
        else "Check the provider's documentation.",
    )


@rule(
    id="PROV005",
    name="provider-auth",
    severity=Severity.ERROR,
    message="the provider does not offer this authentication protocol",
    hint="Use an authentication protocol the provider offers (see `smtpops providers show ID`).",
    why=(
        "The server refuses a sign-in method it does not offer, and sending fails with an "
        "authentication error."
    ),
    bad=Example(yaml="host: smtp.gmail.com\nauth_protocol: CRAM-MD5\n"),
    good=Example(yaml="host: smtp.gmail.com\nauth_protocol: LOGIN\n"),
)
def provider_auth(ctx: ConfigContext) -> Iterator[Hit]:
    """auth_protocol must be among the provider's mechanisms."""
    provider, mech = ctx.provider, ctx.config.auth_protocol
    if provider is None or provider.allows_auth(mech):
        return
    offered = ", ".join(provider.auth)
    caveat = (
        ""
        if provider.auth_verified
        else " (which mechanisms it offers is unverified; these are the usual ones)"
    )
    yield Hit(
        field=("auth_protocol",),
        message=f"{_who(ctx, provider)} does not offer {mech}; it offers {offered}{caveat}",
        hint=f"Use auth_protocol: {provider.auth[0]}.",
    )


@rule(
    id="PROV006",
    name="provider-connection-limit",
    severity=Severity.WARNING,
    escalate_when=("protected",),
    message="more connections than the provider allows at once",
    hint="Lower max_connections to the provider's documented limit.",
    why=(
        "Providers refuse connections above their limit (Microsoft 365: 432 4.3.2 on the fourth), "
        "so messages are delayed or bounce at busy times; in a strict environment (production) "
        "that is an error."
    ),
    bad=Example(yaml="host: smtp.office365.com\nmax_connections: 10\n"),
    good=Example(yaml="host: smtp.office365.com\nmax_connections: 3\n"),
)
def provider_connection_limit(ctx: ConfigContext) -> Iterator[Hit]:
    """max_connections (10 when unset) must not exceed the provider's documented limit."""
    provider, wanted = ctx.provider, ctx.config.max_connections
    if provider is None or provider.max_connections is None or wanted is None:
        return
    if wanted > provider.max_connections:
        unset = "" if ctx.has("max_connections") else " (the default, as the field is not set)"
        yield Hit(
            field=("max_connections",),
            message=f"max_connections is {wanted}{unset}, but {provider.name} allows "
            f"{provider.max_connections} connections at once",
            hint=f"Set max_connections: {provider.max_connections}.",
        )


def _notices(ctx: ConfigContext, severity: str) -> Iterator[Hit]:
    provider = ctx.provider
    if provider is None:
        return
    default = "provider" if ctx.has("provider") else "host"
    for notice in provider.notices:
        if notice.severity == severity:
            yield _notice_hit(ctx, provider, notice, default)


def _notice_hit(ctx: ConfigContext, provider: Provider, notice: Notice, default: str) -> Hit:
    field = notice.field if notice.field and ctx.has(notice.field) else default
    return Hit(field=(field,), message=f"{provider.name}: {notice.text}", hint=notice.hint)


@rule(
    id="PROV007",
    name="provider-note",
    severity=Severity.INFO,
    message="something to know about this provider's sign-in or setup",
    hint="Follow the provider's note; `smtpops providers show ID` has the details and sources.",
    why=(
        "Most provider outages come from sign-in rules the provider changed (app passwords, SMTP "
        "AUTH switched off); the note says what the provider expects."
    ),
    bad=Example(yaml="host: smtp.gmail.com\n"),
    good=Example(yaml="host: smtp.example.com\n"),
)
def provider_note(ctx: ConfigContext) -> Iterator[Hit]:
    """Every 'info' notice of the provider, as a note, shown once per provider per run."""
    for hit in _notices(ctx, "info"):
        yield dataclasses.replace(hit, once=True)


@rule(
    id="PROV008",
    name="provider-caution",
    severity=Severity.WARNING,
    message="this provider has a sign-in or setup requirement that often makes sending fail",
    hint="Follow the provider's note; `smtpops providers show ID` has the details and sources.",
    why=(
        "These are requirements (app passwords, OAuth-only accounts, secrets in the username) "
        "that break or expose a config that otherwise looks right."
    ),
    bad=Example(yaml="host: smtp.mail.yahoo.com\nport: 465\ntls: SSL/TLS\n"),
    good=Example(yaml="host: smtp.example.com\n"),
)
def provider_caution(ctx: ConfigContext) -> Iterator[Hit]:
    """Every 'warning' notice of the provider."""
    yield from _notices(ctx, "warning")


@rule(
    id="PROV009",
    name="provider-fields-explicit",
    severity=Severity.WARNING,
    message="this provider needs every setting written out, and some are missing",
    hint="Add the missing fields with their values.",
    why=(
        "For a custom server smtpops knows nothing to fall back on: a setting left to its default "
        "is a guess nobody reviewed."
    ),
    bad=Example(yaml="provider: custom\n"),
    good=Example(yaml=_CUSTOM_FULL),
)
def provider_fields_explicit(ctx: ConfigContext) -> Iterator[Hit]:
    """A declared provider's required_fields (custom: all of them) must be present."""
    provider = ctx.provider
    if not _declared(ctx) or provider is None or not provider.required_fields:
        return
    absent = [f for f in provider.required_fields if f not in ctx.raw]
    if absent:
        yield Hit(
            field=("provider",),
            message=f"with provider: {provider.id} every setting must be written out; "
            f"missing: {', '.join(absent)}",
            hint=f"Add {', '.join(absent)} with the values your mail server needs.",
        )


@rule(
    id="PROV010",
    name="provider-username-fixed",
    severity=Severity.ERROR,
    message="this provider expects a fixed username",
    hint="Set the username to the word the provider expects (see `smtpops providers show ID`).",
    why=(
        "Some sending services ignore the account name and expect a fixed word (SendGrid: "
        "apikey); anything else is refused at sign-in."
    ),
    bad=Example(yaml="host: smtp.sendgrid.net\nusername: alerts@example.com\n"),
    good=Example(yaml="host: smtp.sendgrid.net\nusername: apikey\n"),
)
def provider_username_fixed(ctx: ConfigContext) -> Iterator[Hit]:
    """With username_format 'fixed', the username must be username_fixed."""
    provider, user = ctx.provider, ctx.config.username
    if provider is None or provider.username_format != "fixed" or user is None:
        return
    if user.strip() != provider.username_fixed:
        yield Hit(
            field=("username",),
            message=(
                f"{_who(ctx, provider)} expects the username '{provider.username_fixed}', not "
                f"'{user}'"
            ),
            hint=f"Set username: {provider.username_fixed} (the secret goes into the password).",
        )


@rule(
    id="PROV011",
    name="provider-username-email",
    severity=Severity.WARNING,
    message="this provider signs in with a full email address",
    hint="Use the full email address as username (name@domain).",
    why=(
        "Providers that sign in with the full address refuse a bare user name, and the error only "
        "shows when mail fails."
    ),
    bad=Example(yaml="host: smtp.gmail.com\nusername: alerts\n"),
    good=Example(yaml="host: smtp.gmail.com\nusername: alerts@gmail.com\n"),
)
def provider_username_email(ctx: ConfigContext) -> Iterator[Hit]:
    """With username_format 'email', the username must contain '@'."""
    provider, user = ctx.provider, ctx.config.username
    if provider is None or provider.username_format != "email" or not user or "@" in user:
        return
    yield Hit(
        field=("username",),
        message=f"{_who(ctx, provider)} signs in with the full email address, not '{user}'",
        hint=f"Use {provider.username}.",
    )


@rule(
    id="PROV012",
    name="provider-host-known",
    severity=Severity.INFO,
    message="the server belongs to a provider smtpops knows",
    hint="Set that provider to get its checks of ports, sign-in and limits.",
    why=(
        "A known provider's facts catch wrong ports, unsupported sign-in and connection limits "
        "before deploy."
    ),
    bad=Example(yaml=_CUSTOM_FULL + "host: smtp.office365.com\nmax_connections: 3\n"),
    good=Example(yaml=_CUSTOM_FULL),
)
def provider_host_known(ctx: ConfigContext) -> Iterator[Hit]:
    """A provider for any host (custom, exchange) used with a known provider's server."""
    provider, host = ctx.provider, (ctx.config.host or "").strip()
    if not _declared(ctx) or provider is None or not provider.any_host or not host:
        return
    owner = detect(host, ctx.providers)
    if owner is not None:
        yield Hit(
            field=("provider",),
            message=(
                f"the server {host} belongs to {owner.name}, but the file says provider: "
                f"{provider.id}"
            ),
            hint=f"Set provider: {owner.id} to check this config against {owner.name}'s facts.",
        )
