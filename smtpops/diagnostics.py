"""Typed, immutable results of checks: a Diagnostic at a Location, gathered in a Report."""

from __future__ import annotations

import dataclasses
import enum
import os
from dataclasses import field

from smtpops.errors import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE
from smtpops.records import record


class Severity(enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"error": 2, "warning": 1, "info": 0}[self.value]


@record(frozen=True, kw_only=True)
class Location:
    """Where a finding points: a file, and if known the line/column (1-based) and field."""

    path: str
    line: int | None = None
    column: int | None = None
    field: str | None = None

    def __str__(self) -> str:
        text = self.path
        if self.line is not None:
            text += f":{self.line}"
            if self.column is not None:
                text += f":{self.column}"
        return text


@record(frozen=True, kw_only=True)
class Diagnostic:
    """One finding: which rule, how bad, what is wrong (message) and what to change (hint)."""

    rule_id: str
    severity: Severity
    message: str
    hint: str
    location: Location
    environment: str | None = None

    def sort_key(self) -> tuple[str, int, int, str]:
        loc = self.location
        return (loc.path, loc.line or 0, loc.column or 0, self.rule_id)


@record(frozen=True, kw_only=True)
class RuleInfo:
    """What a reporter may say about a rule: the registry's record without its check
    (``smtpops.rules.registry.Rule.info``), so reporters need no import of the rules."""

    id: str
    name: str
    severity: Severity
    message: str
    hint: str
    why: str
    failing: str  # YAML of the failing doc example
    passing: str  # YAML of the passing doc example
    references: tuple[str, ...] = ()
    security: bool = False

    @property
    def area(self) -> str:
        return self.id.rstrip("0123456789")


@record(frozen=True, kw_only=True)
class Report:
    """The diagnostics of one run, over the files it checked."""

    diagnostics: tuple[Diagnostic, ...] = ()
    files: tuple[str, ...] = ()
    strict: bool = False
    input_error: bool = field(default=False)
    rules: tuple[RuleInfo, ...] = ()  # the catalogue the run knew, for SARIF's rule list
    root: str | None = None  # the repository root (absolute), for root-relative paths
    hidden: tuple[Diagnostic, ...] = ()  # below the severity asked for (--quiet, --min-severity)

    def at_least(self, minimum: Severity) -> Report:
        """The report showing only findings of ``minimum`` severity or worse; the hidden ones
        still count for the exit code."""
        keep = tuple(d for d in self.diagnostics if d.severity.rank >= minimum.rank)
        dropped = tuple(d for d in self.diagnostics if d.severity.rank < minimum.rank)
        return dataclasses.replace(self, diagnostics=keep, hidden=self.hidden + dropped)

    def repo_path(self, path: str) -> str:
        """``path`` relative to the repository root, with ``/`` (annotations and SARIF need
        that, wherever the run started); as given when there is no root or it is outside."""
        if self.root is None:
            return path.replace(os.sep, "/")
        rel = os.path.relpath(os.path.abspath(path), self.root)
        return path.replace(os.sep, "/") if rel.startswith("..") else rel.replace(os.sep, "/")

    @property
    def errors(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.diagnostics if d.severity is Severity.ERROR)

    @property
    def warnings(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.diagnostics if d.severity is Severity.WARNING)

    @property
    def exit_code(self) -> int:
        if self.input_error:
            return EXIT_USAGE
        hidden_warnings = any(d.severity is Severity.WARNING for d in self.hidden)
        if self.errors or (self.strict and (self.warnings or hidden_warnings)):
            return EXIT_FINDINGS
        return EXIT_OK
