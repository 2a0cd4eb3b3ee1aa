"""HELO: the name the CRM gives the server in EHLO/HELO."""

from collections.abc import Iterator

from smtpops.diagnostics import Severity
from smtpops.hostnames import LOCAL_NAMES, host_problem
from smtpops.rules.context import ConfigContext
from smtpops.rules.registry import Example, Hit, rule


@rule(
    id="HELO002",
    name="helo-format",
    severity=Severity.ERROR,
    message="the HELO hostname is not a valid domain name",
    hint="Use the domain name of the sending system, e.g. crm.example-utility.com: no spaces, no http:// or https://.",
    why="Servers reject or distrust mail whose EHLO name is malformed.",
    bad=Example(yaml="helo_hostname: https://crm.example.com\n"),
    good=Example(yaml="helo_hostname: crm.example.com\n"),
    references=("RFC 5321 section 4.1.1.1",),
)
def helo_format(ctx: ConfigContext) -> Iterator[Hit]:
    """helo_hostname is a valid domain (or address literal): no spaces, no URL scheme."""
    name = ctx.config.helo_hostname
    if not name:
        return
    if name != name.strip() or " " in name:
        yield Hit(field=("helo_hostname",), message="the HELO hostname contains spaces")
        return
    problem = host_problem(name)
    if problem:
        yield Hit(
            field=("helo_hostname",), message=f"the HELO hostname '{name}' is not valid: {problem}"
        )


@rule(
    id="HELO003",
    name="helo-localhost",
    severity=Severity.WARNING,
    message="the HELO hostname is 'localhost', which hurts deliverability in this environment",
    hint="Set 'helo_hostname' to the public name of the CRM's mail sender, e.g. crm.example-utility.com.",
    why="Receiving servers and spam filters score 'localhost' greetings as suspicious; business mail may land in spam.",
    bad=Example(yaml="helo_hostname: localhost\n", environment="production"),
    good=Example(yaml="helo_hostname: crm.example.com\n", environment="production"),
)
def helo_localhost(ctx: ConfigContext) -> Iterator[Hit]:
    """Warn about a localhost HELO name where the policy asks for a public one."""
    name = (ctx.config.helo_hostname or "").strip().lower()
    if ctx.policy.require_public_helo and name in LOCAL_NAMES:
        yield Hit(field=("helo_hostname",) if ctx.has("helo_hostname") else ())
