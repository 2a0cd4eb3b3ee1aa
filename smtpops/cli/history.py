"""``smtpops history``: the audit trail of configs and deploys."""

from __future__ import annotations

import json

import click

from smtpops.cli import complete
from smtpops.cli.options import format_option
from smtpops.errors import UsageError
from smtpops.gitops import history as service


@click.command()
@click.argument("config", required=False, shell_complete=complete.configs)
@click.option(
    "--env",
    "env",
    metavar="ENV",
    help="Only this environment.",
    shell_complete=complete.environments,
)
@click.option("--since", metavar="WHEN", help='Only changes since WHEN ("2 weeks ago", a date).')
@click.option("--limit", type=click.IntRange(min=1), help="At most this many entries.")
@format_option("text", "json")
def history(
    config: str | None, env: str | None, since: str | None, limit: int | None, fmt: str
) -> None:
    """Show who changed what and when, from git: per commit the action, the fields changed
    from what to what (the password only as "changed") and the connection-test evidence.

    CONFIG (a path or ENV/NAME) or --env narrow it down; without either, all of configs/.
    """

    if config and env:
        raise UsageError("give CONFIG or --env, not both")
    result = service.history(config, env=env, since=since, limit=limit)
    if fmt == "json":
        click.echo(json.dumps(service.to_dict(result), indent=2, ensure_ascii=False))
    else:
        click.echo(service.text(result), nl=False)
