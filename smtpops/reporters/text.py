"""Readable output for people: one block per finding, a summary line at the end.

Colour only on a terminal, never when ``NO_COLOR`` is set (https://no-color.org), always
when ``FORCE_COLOR`` is. Text quoted from config files is shown with control characters
escaped, so a value cannot repaint the terminal.
"""

from __future__ import annotations

import os
from typing import IO

from smtpops.diagnostics import Report, Severity
from smtpops.reporters.safe import visible

_COLOURS = {Severity.ERROR: "31", Severity.WARNING: "33", Severity.INFO: "36"}


def use_colour(stream: IO[str]) -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def _paint(text: str, code: str, colour: bool) -> str:
    return f"\033[{code}m{text}\033[0m" if colour else text


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def write(report: Report, stream: IO[str]) -> None:
    colour = use_colour(stream)
    for d in report.diagnostics:
        label = _paint(d.severity.value, _COLOURS[d.severity], colour)
        field = f" [{visible(d.location.field)}]" if d.location.field else ""
        where = _paint(visible(str(d.location)), "1", colour)
        stream.write(f"{where}: {label} {d.rule_id}{field} {visible(d.message)}\n")
        stream.write(f"    How to fix: {visible(d.hint)}\n")
    errors, warnings = len(report.errors), len(report.warnings)
    files = _plural(len(report.files), "file")
    hidden = f" ({_plural(len(report.hidden), 'finding')} of lower severity not shown)"
    hidden = hidden if report.hidden else ""
    if not report.diagnostics:
        good = (
            f"✓ {files} checked, no problems found" if not report.hidden else f"✓ {files} checked"
        )
        mark = "31" if report.exit_code else "32"
        stream.write(_paint(good + hidden, mark, colour) + "\n")
        return
    summary = f"{files} checked: {_plural(errors, 'error')}, {_plural(warnings, 'warning')}"
    infos = len(report.diagnostics) - errors - warnings
    if infos:
        summary += f", {_plural(infos, 'note')}"
    summary += hidden
    mark = "✗" if report.exit_code else "✓"
    stream.write(_paint(f"{mark} {summary}", "31" if report.exit_code else "32", colour) + "\n")
