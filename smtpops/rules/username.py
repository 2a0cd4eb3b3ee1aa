"""USER: the account name used to sign in."""

import re
from collections.abc import Iterator

from smtpops import mailbox
from smtpops.diagnostics import Severity
from smtpops.rules.context import ConfigContext
from smtpops.rules.registry import Example, Hit, rule

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def email_problem(address: str) -> str | None:
    """Why ``address`` is not a plausible email address; None when it is. The one mailbox
    parser (what the probe will send in MAIL FROM), plus: the domain is a name with a dot."""
    try:
        domain = mailbox.parse(address).domain
    except mailbox.InvalidMailbox as exc:
        return exc.reason
    if domain.startswith("[") or "." not in domain.strip("."):
        return "the part after '@' is not a valid domain (e.g. example.com)"
    return None


@rule(
    id="USER002",
    name="username-whitespace",
    severity=Severity.ERROR,
    message="the username has spaces before or after it",
    hint="Delete the spaces around the username.",
    why="Copied spaces make the sign-in fail with a confusing 'authentication failed'.",
    bad=Example(yaml="username: 'alerts@example.com '\n"),
    good=Example(yaml="username: alerts@example.com\n"),
)
def username_whitespace(ctx: ConfigContext) -> Iterator[Hit]:
    """The username must be trimmed."""
    name = ctx.config.username
    if name and name != name.strip() and not _CONTROL.search(name.strip()):
        yield Hit(field=("username",))


@rule(
    id="USER003",
    name="username-control-characters",
    severity=Severity.ERROR,
    security=True,
    message="the username contains a line break or another invisible control character",
    hint="Retype the username on one line, without tabs or line breaks.",
    why="A line break in a username can inject SMTP commands and always breaks the sign-in.",
    bad=Example(yaml='username: "alerts@example.com\\nRCPT TO:<x@evil.test>"\n'),
    good=Example(yaml="username: alerts@example.com\n"),
)
def username_control_characters(ctx: ConfigContext) -> Iterator[Hit]:
    """No line breaks or control characters in the username."""
    if ctx.config.username and _CONTROL.search(ctx.config.username):
        yield Hit(field=("username",))


@rule(
    id="USER004",
    name="username-email-format",
    severity=Severity.ERROR,
    message="the username looks like an email address but is not a valid one",
    hint="Write the full address, e.g. alerts@example-utility.com; plain account names without '@' are fine too.",
    why="Providers that sign in with an email address reject malformed ones; the typo would only show when mail fails.",
    bad=Example(yaml="username: alerts@@example.com\n"),
    good=Example(yaml="username: alerts@example.com\n"),
)
def username_email_format(ctx: ConfigContext) -> Iterator[Hit]:
    """When the username contains '@', it must be a valid email address."""
    name = (ctx.config.username or "").strip()
    if "@" in name and not _CONTROL.search(name):
        problem = email_problem(name)
        if problem:
            yield Hit(
                field=("username",),
                message=f"the username '{name}' is not a valid email address: {problem}",
            )


@rule(
    id="USER005",
    name="sender-address-format",
    severity=Severity.ERROR,
    message="the sender address (from_address) is not a valid email address",
    hint="Write one address, e.g. noreply@example-utility.com, without a display name or angle brackets.",
    why="The server rejects a malformed sender at MAIL FROM and no message goes out.",
    bad=Example(yaml="from_address: 'Billing <billing@example.com>'\n"),
    good=Example(yaml="from_address: billing@example.com\n"),
)
def sender_address_format(ctx: ConfigContext) -> Iterator[Hit]:
    """from_address, when set, is a plain valid email address."""
    address = ctx.config.from_address
    if address:
        problem = (
            email_problem(address.strip()) if not _CONTROL.search(address) else "control characters"
        )
        if problem:
            yield Hit(
                field=("from_address",),
                message=f"the sender address '{address}' is not valid: {problem}",
            )
