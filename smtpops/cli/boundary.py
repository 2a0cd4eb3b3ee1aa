"""The one place where errors become short messages and exit codes."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any

import click

from smtpops.errors import SmtpopsError

INTERNAL = 70


def report_error(exc: SmtpopsError) -> None:
    click.echo(f"Error: {exc.message}", err=True)
    if exc.hint:
        click.echo(f"  How to fix: {exc.hint}", err=True)


def guarded(ctx: click.Context, call: Callable[[], Any]) -> Any:
    """Run ``call``; SmtpopsError becomes its message and exit code, anything unexpected one
    line (a traceback only with --debug)."""
    try:
        return call()
    except (click.exceptions.Exit, click.ClickException, click.exceptions.Abort):
        raise
    except SmtpopsError as exc:
        report_error(exc)
        ctx.exit(exc.exit_code)
    except BrokenPipeError:
        # the reader went away (e.g. `smtpops validate | head`): stop quietly

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        ctx.exit(1)
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        ctx.exit(130)
    except Exception as exc:
        if ctx.find_root().params.get("debug"):
            raise
        click.echo(
            f"smtpops: internal error ({type(exc).__name__}); rerun with --debug for details",
            err=True,
        )
        ctx.exit(INTERNAL)
