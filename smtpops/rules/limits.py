"""LIMIT: connection counts and timeouts. Ranges are in the schema (LIMIT001-004)."""

from collections.abc import Iterator

from smtpops.diagnostics import Severity
from smtpops.rules.context import ConfigContext
from smtpops.rules.registry import Example, Hit, rule


@rule(
    id="LIMIT005",
    name="idle-beyond-wait",
    severity=Severity.WARNING,
    message="the wait timeout is longer than the idle timeout",
    hint="Make 'idle_timeout' at least as long as 'wait_timeout' (defaults: 30 and 30).",
    why="A connection closed for idleness while still waiting for the server's answer fails messages that would have gone through.",
    bad=Example(yaml="idle_timeout: 10\nwait_timeout: 60\n"),
    good=Example(yaml="idle_timeout: 60\nwait_timeout: 30\n"),
)
def idle_beyond_wait(ctx: ConfigContext) -> Iterator[Hit]:
    """wait_timeout should not exceed idle_timeout."""
    idle, wait = ctx.config.idle_timeout, ctx.config.wait_timeout
    if (
        idle is not None
        and wait is not None
        and wait > idle
        and 10 <= idle <= 300
        and 5 <= wait <= 120
    ):
        yield Hit(field=("wait_timeout",))
