"""``smtpops validate``: check config files against the schema and every rule."""

from __future__ import annotations

import io
import sys

import click

from smtpops import reporters
from smtpops.diagnostics import Report, Severity
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


def _in_colour(fmt: str) -> bool:
    """Whether the text format paints this terminal (then it is written as it is shown)."""
    if fmt != "text":
        return False
    # lazy(start-up): the text format's own module, loaded only when text is written
    from smtpops.reporters import text

    return text.use_colour(sys.stdout)


def _render(fmt: str, report: Report) -> tuple[str, int]:
    buffer = io.StringIO()
    reporters.get(fmt)(report, buffer)
    return buffer.getvalue(), report.exit_code


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
@click.option(
    "--quiet", "-q", is_flag=True, help="Show only errors (same as --min-severity error)."
)
@click.option(
    "--min-severity",
    type=click.Choice(("info", "warning", "error")),
    default="info",
    show_default=True,
    help="Show findings of this severity or worse; the others still count for the exit code.",
)
@click.option(
    "--base",
    metavar="REV",
    help="Compare with REV (a pull request's base): an activation, or a change to an active "
    "config, that no `smtpops deploy` commit made is an error (REPO006).",
)
@click.option(
    "--no-cache",
    is_flag=True,
    help="Check every file again, without reading or writing the cache in .smtpops/.",
)
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    default=None,
    metavar="N",
    help="Check the files in up to N processes, one per 200 files (default: one per CPU; "
    "1: in this process only). The report is the same.",
)
def validate(
    paths: tuple[str, ...],
    fmt: str,
    outputs: tuple[str, ...],
    strict: bool,
    ignore: tuple[str, ...],
    select: tuple[str, ...],
    quiet: bool,
    min_severity: str,
    base: str | None,
    no_cache: bool,
    jobs: int | None,
) -> None:
    """Check config files (or folders) against the schema and every rule.

    With no PATHS, checks the whole configs/ tree. Exit 0 when clean (warnings allowed
    unless --strict), 1 when problems were found, 2 when the input could not be read.
    Reports are cached in .smtpops/cache/ by content (files, settings, providers, schema,
    smtpops version): an unchanged tree is answered at once; --no-cache checks again.
    """
    targets = [_parse_output(spec) for spec in outputs]
    options = Options(ignore=ignore, select=select, strict=strict, base=base, neighbours=True)
    minimum = Severity.ERROR if quiet else Severity(min_severity)
    if not targets and not _in_colour(fmt):
        # one output, the same text for the same tree: the cache keeps that text too
        text, code = validation.validate_rendered(
            paths,
            options,
            view=f"{fmt}-{minimum.value}",
            render=lambda report: _render(fmt, report.at_least(minimum)),
            cache=not no_cache,
            jobs=jobs,
        )
        sys.stdout.write(text)
        sys.exit(code)
    report = validation.validate(paths, options, cache=not no_cache, jobs=jobs)
    report = report.at_least(minimum)
    reporters.get(fmt)(report, sys.stdout)
    for target_fmt, target in targets:
        buffer = io.StringIO()
        reporters.get(target_fmt)(report, buffer)
        # lazy(start-up): atomic loads tempfile (~2 ms); only --output writes a file
        from smtpops.atomic import write_text

        try:
            write_text(target, buffer.getvalue())
        except OSError as exc:
            raise InputError(
                f"cannot write the {target_fmt} report to {target} ({exc.strerror or exc})",
                hint="Check that the folder exists and that you may write there.",
            ) from None
    sys.exit(report.exit_code)
