"""``smtpops diff``: review the config changes between two revisions."""

from __future__ import annotations

import json

import click

from smtpops.cli.options import format_option
from smtpops.review import display
from smtpops.services.review import review


@click.command()
@click.argument("base")
@click.argument("head", required=False)
@format_option("text", "markdown", "json")
def diff(base: str, head: str | None, fmt: str) -> None:
    """Show what changes from BASE to HEAD (default: the working tree), per environment and
    config: fields old → new (the password only as "changed"), activation, new validation
    findings, and which changes are security-sensitive and need IT approval.

    Markdown output is one pull-request comment. Exit 0 whatever the changes are.
    """

    result = review(base, head)
    if fmt == "json":
        click.echo(json.dumps(display.data(result), indent=2, ensure_ascii=False))
    elif fmt == "markdown":
        click.echo(display.markdown(result), nl=False)
    else:
        click.echo(display.text(result), nl=False)
