"""HOST: the SMTP server name."""

from collections.abc import Iterator

from smtpops.diagnostics import Severity
from smtpops.hostnames import host_problem, non_public_reason
from smtpops.rules.context import ConfigContext
from smtpops.rules.registry import Example, Hit, rule


@rule(
    id="HOST002",
    name="host-whitespace",
    severity=Severity.ERROR,
    message="the SMTP server name has spaces before or after it",
    hint="Delete the spaces around the server name.",
    why="Spaces copied along with a server name make the lookup fail in some tools but not others.",
    bad=Example(yaml="host: ' smtp.example.com'\n"),
    good=Example(yaml="host: smtp.example.com\n"),
)
def host_whitespace(ctx: ConfigContext) -> Iterator[Hit]:
    """The host must be trimmed."""
    host = ctx.config.host
    if host and host != host.strip():
        yield Hit(field=("host",))


@rule(
    id="HOST003",
    name="host-format",
    severity=Severity.ERROR,
    message="the SMTP server is not a valid server name or IP address",
    hint="Write only the server name (smtp.example.com), an IPv4 address (192.0.2.10) or an IPv6 address in brackets ([2001:db8::1]): no 'https://', no port, no spaces.",
    why="The CRM cannot connect to a malformed server name; the error would only show when mail fails.",
    bad=Example(yaml="host: https://smtp.example.com\n"),
    good=Example(yaml="host: smtp.example.com\n"),
)
def host_format(ctx: ConfigContext) -> Iterator[Hit]:
    """The host is a domain name, an IPv4 dotted quad, or an IPv6 address in brackets."""
    host = (ctx.config.host or "").strip()
    if not host:
        return
    problem = host_problem(host)
    if problem:
        yield Hit(field=("host",), message=f"the SMTP server '{host}' is not valid: {problem}")


@rule(
    id="HOST004",
    name="host-not-public",
    severity=Severity.ERROR,
    security=True,
    message="the SMTP server points at this machine or a private network, which this environment does not allow",
    hint="Use your provider's public server name (e.g. smtp.office365.com). Local test servers belong in the development environment.",
    why="A production config pointing at localhost or a private address usually means a test setting slipped through; mail would go nowhere, or to an unmanaged relay.",
    bad=Example(yaml="host: 127.0.0.1\ntls: SSL/TLS\nport: 465\n", environment="production"),
    good=Example(yaml="host: smtp.example.com\n", environment="production"),
    references=("RFC 1918 (private addresses)", "RFC 3927 (link-local)", "RFC 6598 (shared)"),
)
def host_not_public(ctx: ConfigContext) -> Iterator[Hit]:
    """Where the policy forbids private hosts: no localhost, loopback, private or link-local."""
    host = (ctx.config.host or "").strip()
    if not host or ctx.policy.allow_private_hosts:
        return
    reason = non_public_reason(host)
    if reason:
        env = ctx.environment.name if ctx.environment else "this environment"
        yield Hit(
            field=("host",), message=f"the SMTP server '{host}' is not allowed in {env}: {reason}"
        )
