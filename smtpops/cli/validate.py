"""``smtpops validate``: check config files against the schema and every rule."""

from __future__ import annotations

import io
import sys

import click

from smtpops import reporters
from smtpops.atomic import write_text
from smtpops.errors import InputError, UsageError
from smtpops.services import validation
from smtpops.services.validation import Options

FORMATS = tuple(reporters.REPORTERS)  # the registry is the one list of output formats


def _parse_output(spec: str) -> tuple[str, str]:
    fmt, sep, target = spec.partition(":")
    if not sep or fmt not in FORMATS or not target:
        raise UsageError(
            f"--output '{spec}' is not FORMAT:FILE",
            hint=f"Write e.g. --output sarif:results.sarif; formats: {', '.join(FORMATS)}.",
        )
    return fmt, target


@click.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="Output format on standard output.",
)
@click.option(
    "--output",
    "outputs",
    multiple=True,
    metavar="FORMAT:FILE",
    help="Also write a report to FILE (repeatable), e.g. sarif:results.sarif.",
)
@click.option("--strict", is_flag=True, help="Fail on warnings too.")
@click.option(
    "--ignore",
    "ignore",
    multiple=True,
    metavar="ID",
    help="Skip a rule or an area (e.g. PORT002 or PORT); repeatable.",
)
@click.option(
    "--select",
    "select",
    multiple=True,
    metavar="ID",
    help="Run only these rules or areas; repeatable.",
)
def validate(
    paths: tuple[str, ...],
    fmt: str,
    outputs: tuple[str, ...],
    strict: bool,
    ignore: tuple[str, ...],
    select: tuple[str, ...],
) -> None:
    """Check config files (or folders) against the schema and every rule.

    With no PATHS, checks the whole configs/ tree. Exit 0 when clean (warnings allowed
    unless --strict), 1 when problems were found, 2 when the input could not be read.
    """
    targets = [_parse_output(spec) for spec in outputs]
    report = validation.validate(paths, Options(ignore=ignore, select=select, strict=strict))
    reporters.get(fmt)(report, sys.stdout)
    for target_fmt, target in targets:
        buffer = io.StringIO()
        reporters.get(target_fmt)(report, buffer)
        try:
            write_text(target, buffer.getvalue())
        except OSError as exc:
            raise InputError(
                f"cannot write the {target_fmt} report to {target} ({exc.strerror or exc})",
                hint="Check that the folder exists and that you may write there.",
            ) from None
    sys.exit(report.exit_code)
