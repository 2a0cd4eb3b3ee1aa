"""``smtpops apply``: hand the active config of an environment to a runtime (Postfix)."""

from __future__ import annotations

import dataclasses
import json

import click

from smtpops.cli.options import format_option
from smtpops.services import apply as service

TARGETS = ["postfix", "none"]


@click.command()
@click.argument("env")
@click.option(
    "--target",
    type=click.Choice(TARGETS[:-1]),
    default=None,
    help="The runtime; default: the environment's `apply:` setting.",
)
@click.option(
    "--config-dir",
    metavar="DIR",
    help="Postfix configuration directory (default /etc/postfix).",
)
@click.option(
    "--retry-interval",
    metavar="SECONDS",
    help="Postfix: the first retry delay; later ones double (default 300).",
)
@click.option("--rev", metavar="REV", help="Apply what was active at this commit.")
@format_option("text", "json")
def apply(
    env: str,
    target: str | None,
    config_dir: str | None,
    retry_interval: str | None,
    rev: str | None,
    fmt: str,
) -> None:
    """Apply the active config of ENV to a runtime, e.g. a Postfix relay on the CRM host.

    Idempotent (nothing reloads when the digest is unchanged) and atomic (a failed
    `postfix check` leaves the running configuration). With no active config, mail is held
    in the queue. Exit 0 applied or unchanged, 1 refused, 2 bad input.
    """
    options = {
        k: v
        for k, v in (("config_dir", config_dir), ("retry_interval", retry_interval))
        if v is not None
    }
    result = service.apply(env, target=target, options=options, rev=rev)
    if fmt == "json":
        click.echo(json.dumps(dataclasses.asdict(result), indent=2))
        return
    click.echo(result.summary())
    if result.digest:
        click.echo(f"digest {result.digest}")
    for note in result.notes:
        click.echo(f"Note: {note}", err=True)
