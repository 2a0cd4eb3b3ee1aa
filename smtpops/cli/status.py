"""``smtpops status``: what is active in each environment."""

from __future__ import annotations

import json

import click

from smtpops.cli import complete
from smtpops.cli.options import format_option
from smtpops.gitops import status as service


@click.command()
@click.option(
    "--env",
    "env",
    metavar="ENV",
    help="Show only this environment.",
    shell_complete=complete.environments,
)
@format_option("text", "json")
def status(env: str | None, fmt: str) -> None:
    """Show per environment the active config, its server, whether it is pinned or locked,
    and the last change and connection test recorded in git."""

    items = service.status(env)
    if fmt == "json":
        click.echo(json.dumps([service.to_dict(i) for i in items], indent=2))
    else:
        click.echo(service.text(items), nl=False)
