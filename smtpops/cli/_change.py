"""Shared by the gitops commands: options and how an outcome or a failed test is shown."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any

import click

from smtpops.cli.options import format_option

WAIT = click.option(
    "--wait",
    type=click.FloatRange(min=0),
    default=0.0,
    show_default=True,
    metavar="SECONDS",
    help="Wait this long for another change to the environment to finish.",
)
FORMAT = format_option("text", "json")
DNS = click.option(
    "--dns",
    "dns",
    multiple=True,
    metavar="IP[:PORT]",
    help="DNS server the connection test asks (repeatable); default $SMTPOPS_DNS, else the "
    "system's.",
)


def nameservers(option: tuple[str, ...]) -> tuple[str, ...]:
    """The DNS servers of ``--dns``, else $SMTPOPS_DNS: the one resolver configuration that
    `smtpops test`, deploy, promote and rollback share."""
    from smtpops.probe.resolve import configured_nameservers

    return tuple(f"{ip}:{port}" for ip, port in configured_nameservers(option))


def run(call: Callable[[], Any], fmt: str) -> None:
    """Run a gitops change and print its outcome; a failed test prints its checklist first."""
    from smtpops.gitops import gate, render

    try:
        outcome = call()
    except gate.TestFailed as exc:
        if fmt == "json":
            click.echo(json.dumps({"error": exc.message, "test": exc.report.to_dict()}, indent=2))
        else:
            click.echo("Connection test failed:")
            click.echo("\n".join(render.test_lines(exc.report)))
        raise
    if fmt == "json":
        click.echo(json.dumps(render.data(outcome), indent=2))
    else:
        click.echo(render.text(outcome))
    sys.stdout.flush()
