"""Machine-readable output: the whole report as one JSON document.

Its shape is documented in the README ("JSON output"). ``version`` is the version of that
shape: it grows by one when a field is removed or changes meaning (added fields keep it).
"""

from __future__ import annotations

import json
from typing import IO, Any

from smtpops.diagnostics import Diagnostic, Report

VERSION = 1


def as_dict(d: Diagnostic) -> dict[str, Any]:
    loc = d.location
    return {
        "rule": d.rule_id,
        "severity": d.severity.value,
        "message": d.message,
        "hint": d.hint,
        "path": loc.path,
        "line": loc.line,
        "column": loc.column,
        "field": loc.field,
        "environment": d.environment,
    }


def document(report: Report, *, exit_code: int | None = None) -> dict[str, Any]:
    """The JSON document of ``report``; ``exit_code`` when the command's differs from the
    report's own (e.g. ``secrets check`` also counts its decryptions)."""
    return {
        "version": VERSION,
        "files": list(report.files),
        "summary": {
            "files": len(report.files),
            "errors": len(report.errors),
            "warnings": len(report.warnings),
            "notes": len(report.diagnostics) - len(report.errors) - len(report.warnings),
            "hidden": len(report.hidden),
            "exit_code": report.exit_code if exit_code is None else exit_code,
        },
        "diagnostics": [as_dict(d) for d in report.diagnostics],
    }


def write(report: Report, stream: IO[str]) -> None:
    # one write: json.dump would write each of its many small pieces separately
    stream.write(json.dumps(document(report), indent=2) + "\n")
