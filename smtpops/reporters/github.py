"""GitHub Actions workflow commands: one ``::error``/``::warning``/``::notice`` annotation per
finding, shown on the pull request's changed lines.

Values are escaped as the Actions runner expects (actions/toolkit ``command.ts``): in the
message ``%``, CR and LF; in properties also ``:`` and ``,``.
"""

from __future__ import annotations

from typing import IO

from smtpops.diagnostics import Diagnostic, Report, Severity
from smtpops.reporters.safe import visible

_COMMAND = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(text: str) -> str:
    text = visible(text, keep_lines=True)
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(d: Diagnostic, path: str | None = None) -> str:
    """One annotation; ``path`` is the file relative to the repository root."""
    loc = d.location
    props = [("file", (path or loc.path).replace("\\", "/"))]
    if loc.line is not None:
        props.append(("line", str(loc.line)))
        if loc.column is not None:
            props.append(("col", str(loc.column)))
    props.append(("title", d.rule_id))
    where = ",".join(f"{key}={escape_property(value)}" for key, value in props)
    field = f"[{loc.field}] " if loc.field else ""
    message = f"{field}{visible(d.message)}\nHow to fix: {visible(d.hint)}"
    return f"::{_COMMAND[d.severity]} {where}::{escape_data(message)}\n"


def write(report: Report, stream: IO[str]) -> None:
    for d in report.diagnostics:
        stream.write(annotation(d, report.repo_path(d.location.path)))
    errors, warnings = len(report.errors), len(report.warnings)
    stream.write(
        f"smtpops: {len(report.files)} file(s) checked: {errors} error(s), {warnings} warning(s)\n"
    )
