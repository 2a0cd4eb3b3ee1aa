"""Shared by the gitops commands: options and how an outcome or a failed test is shown."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any

import click

from smtpops.cli.options import format_option
from smtpops.gitops import display
from smtpops.probe import text as probe_text
from smtpops.services.connection import TestFailed

WAIT = click.option(
    "--wait",
    type=click.FloatRange(min=0),
    default=0.0,
    show_default=True,
    metavar="SECONDS",
    help="Wait this long for another change to the environment to finish.",
)
FORMAT = format_option("text", "json")


def run(call: Callable[[], Any], fmt: str) -> None:
    """Run a gitops change and print its outcome; a failed test prints its checklist first."""

    try:
        outcome = call()
    except TestFailed as exc:
        if fmt == "json":
            click.echo(json.dumps({"error": exc.message, "test": exc.report.to_dict()}, indent=2))
        else:
            click.echo("Connection test failed:")
            click.echo("\n".join(probe_text.steps(exc.report)))
        raise
    if fmt == "json":
        click.echo(json.dumps(display.data(outcome), indent=2))
    else:
        click.echo(display.text(outcome))
    sys.stdout.flush()
