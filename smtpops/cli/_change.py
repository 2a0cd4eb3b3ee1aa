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
from smtpops.services.apply import Handover
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
APPLY = click.option(
    "--apply",
    "apply_target",
    type=click.Choice(["postfix", "none"]),
    default=None,
    help="Also apply the result to this runtime before the commit, recording its digest "
    "(default: the environment's `apply:` setting; none skips it).",
)


def handover(target: str | None) -> Handover:
    """The apply step that goes with a change (a no-op when nothing is configured)."""
    return Handover(target)


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
