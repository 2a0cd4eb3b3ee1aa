"""Machine-readable output: the whole report as one JSON document.

Its shape is documented in the README ("JSON output"). ``version`` is the version of that
shape: it grows by one when a field is removed or changes meaning (added fields keep it).
"""

from __future__ import annotations

import json
from json.encoder import encode_basestring_ascii
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


def _scalar(value: Any) -> str:
    if type(value) is str:
        return encode_basestring_ascii(value)
    if value is None:
        return "null"
    if type(value) is int:
        return int.__repr__(value)
    return json.dumps(value)  # bool, float: as json writes them


def _lines(value: Any, pad: str, out: list[str], head: str) -> None:
    """``json.dumps(value, indent=2)``, the same text, for dicts and lists of plain values:
    json's own indented encoder is pure Python, and slower by several times."""
    if type(value) is dict and value:
        out.append(head + "{")
        inner = pad + "  "
        last = len(value) - 1
        for i, (key, item) in enumerate(value.items()):
            _lines(item, inner, out, f"{inner}{encode_basestring_ascii(key)}: ")
            if i < last:
                out[-1] += ","
        out.append(pad + "}")
    elif type(value) is list and value:
        out.append(head + "[")
        inner = pad + "  "
        last = len(value) - 1
        for i, item in enumerate(value):
            _lines(item, inner, out, inner)
            if i < last:
                out[-1] += ","
        out.append(pad + "]")
    elif type(value) in (dict, list):
        out.append(head + ("{}" if type(value) is dict else "[]"))
    else:
        out.append(head + _scalar(value))


def dumps(value: Any) -> str:
    """``json.dumps(value, indent=2)`` for the report's document (plain keys and values)."""
    out: list[str] = []
    _lines(value, "", out, "")
    return "\n".join(out)


def write(report: Report, stream: IO[str]) -> None:
    # one write: json.dump would write each of its many small pieces separately
    stream.write(dumps(document(report)) + "\n")
