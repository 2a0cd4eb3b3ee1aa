"""Validate config files, folders or the whole ``configs/`` tree."""

from __future__ import annotations

from collections.abc import Sequence

from smtpops import engine
from smtpops.diagnostics import Diagnostic, Report
from smtpops.engine import Options
from smtpops.errors import InputError

__all__ = ["Options", "errors_before_test", "validate"]


def validate(paths: Sequence[str] = (), options: Options | None = None) -> Report:
    """Validate the files or folders named (none: the whole ``configs/`` tree)."""
    return engine.validate(tuple(paths), options)


def errors_before_test(path: str) -> tuple[Diagnostic, ...]:
    """The validation errors that keep ``path`` from being tested (empty: it may be tested).
    Raises InputError when the file cannot be read at all."""
    report = engine.validate((path,))
    if report.input_error:
        first = report.diagnostics[0] if report.diagnostics else None
        raise InputError(f"{path}: {first.message if first else 'cannot be read'}")
    return report.errors
