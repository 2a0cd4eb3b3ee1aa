"""PORT: the TCP port and its agreement with the encryption mode."""

from collections.abc import Iterator

from smtpops.diagnostics import Severity
from smtpops.rules.context import ConfigContext
from smtpops.rules.registry import Example, Hit, rule

STANDARD_PORTS = (25, 465, 587, 2525)


@rule(
    id="PORT002",
    name="non-standard-port",
    severity=Severity.WARNING,
    message="the port is not one of the usual SMTP ports (25, 465, 587, 2525)",
    hint="Check the port in your provider's instructions; most use 587 with STARTTLS or 465 with SSL/TLS.",
    why="An unusual port is often a typo (5877) or a web/IMAP port copied by mistake, and many networks block unusual outgoing ports.",
    bad=Example(yaml="port: 5870\n"),
    good=Example(yaml="port: 587\n"),
)
def non_standard_port(ctx: ConfigContext) -> Iterator[Hit]:
    """Warn about ports other than 25, 465, 587 and 2525."""
    port = ctx.config.port
    if port is not None and ctx.has("port") and 1 <= port <= 65535 and port not in STANDARD_PORTS:
        yield Hit(
            field=("port",),
            message=f"port {port} is not one of the usual SMTP ports (25, 465, 587, 2525)",
        )


@rule(
    id="PORT003",
    name="port-465-needs-ssl",
    severity=Severity.ERROR,
    message="port 465 expects encryption from the first byte, but tls is not SSL/TLS",
    hint="Set 'tls: SSL/TLS' for port 465, or use port 587 with STARTTLS.",
    why="On port 465 the server waits for a TLS handshake; a STARTTLS or plain client hangs until it times out.",
    bad=Example(yaml="port: 465\ntls: STARTTLS\n"),
    good=Example(yaml="port: 465\ntls: SSL/TLS\n"),
    references=("RFC 8314 section 3.3",),
)
def port_465_needs_ssl(ctx: ConfigContext) -> Iterator[Hit]:
    """Port 465 requires SSL/TLS (implicit TLS)."""
    if ctx.config.port == 465 and ctx.config.tls == "STARTTLS":
        yield Hit(field=("tls",) if ctx.has("tls") else ("port",))


@rule(
    id="PORT004",
    name="port-587-starttls",
    severity=Severity.WARNING,
    message="port 587 normally uses STARTTLS, but tls is SSL/TLS",
    hint="Set 'tls: STARTTLS' for port 587, or use port 465 with SSL/TLS.",
    why="Servers on 587 start unencrypted and upgrade with STARTTLS; a client that starts with TLS gets a 'wrong version number' error.",
    bad=Example(yaml="port: 587\ntls: SSL/TLS\n"),
    good=Example(yaml="port: 587\ntls: STARTTLS\n"),
    references=("RFC 6409", "RFC 3207"),
)
def port_587_starttls(ctx: ConfigContext) -> Iterator[Hit]:
    """Port 587 should use STARTTLS."""
    if ctx.config.port == 587 and ctx.config.tls == "SSL/TLS":
        yield Hit(field=("tls",))


@rule(
    id="PORT005",
    name="port-25-blocked",
    severity=Severity.WARNING,
    message="port 25 is blocked or throttled by many internet providers and cloud hosts",
    hint="Use 587 with STARTTLS (or 465 with SSL/TLS) unless your mail server only accepts 25.",
    why="Google Cloud blocks outgoing port 25, AWS throttles it and Azure allows it only for some subscriptions; mail then fails after go-live.",
    bad=Example(yaml="port: 25\n"),
    good=Example(yaml="port: 587\n"),
)
def port_25_blocked(ctx: ConfigContext) -> Iterator[Hit]:
    """Warn that port 25 is commonly blocked."""
    if ctx.config.port == 25:
        yield Hit(field=("port",))
