"""AUTH: the authentication mechanism and where credentials travel."""

from collections.abc import Iterator

from smtpops.diagnostics import Severity
from smtpops.rules.context import ConfigContext
from smtpops.rules.registry import Example, Hit, rule


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
    """Credentials must never cross an unencrypted connection."""
    if ctx.config.tls == "None" and (ctx.config.username or ctx.config.password):
        yield Hit(field=("tls",))
