"""Options shared by several commands."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from smtpops import mailbox as mailbox_parser
from smtpops.reporters.safe import visible


def format_option(*choices: str) -> Callable[[Any], Any]:
    """``--format`` with the given choices (default: the first), stored as ``fmt``."""
    choices = choices or ("text", "json")
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(choices),
        default=choices[0],
        show_default=True,
        help="Output format.",
    )


def mailbox(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """A click callback: ``value`` must be exactly one email address (RFC 5321 mailbox), or the
    command stops with exit 2 before anything is sent."""
    if value is None:
        return None
    reason = mailbox_parser.problem(value)
    if reason:
        raise click.BadParameter(
            f"{visible(value)!r} is not one email address: {reason}. "
            "Give a single plain address, e.g. ops@example.com.",
            ctx=ctx,
            param=param,
        )
    return value
