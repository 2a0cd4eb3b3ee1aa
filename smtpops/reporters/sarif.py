"""SARIF 2.1.0 for code scanning (e.g. GitHub's ``upload-sarif``): the report's rule
catalogue (``Report.rules``) as ``tool.driver.rules``, one result per finding.

Paths are written as URIs relative to the repository root (``uriBaseId: %SRCROOT%``),
wherever the run started; a path outside it becomes an absolute ``file://`` URI. Security
rules carry GitHub's ``security-severity`` (error 8.0 high, warning 5.0 medium, note 2.0 low).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import IO, Any
from urllib.parse import quote

from smtpops import __version__
from smtpops.diagnostics import Diagnostic, Report, RuleInfo, Severity

SCHEMA_URI = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
# GitHub code scanning reads this score (0.1-10, as a string) as low/medium/high/critical
SECURITY_SEVERITY = {Severity.ERROR: "8.0", Severity.WARNING: "5.0", Severity.INFO: "2.0"}


def level(severity: Severity) -> str:
    return _LEVEL[severity]


def artifact_location(path: str) -> dict[str, str]:
    if os.path.isabs(path):
        return {"uri": Path(path).as_uri()}
    return {"uri": quote(path.replace(os.sep, "/")), "uriBaseId": "%SRCROOT%"}


def _example(title: str, yaml_text: str) -> str:
    return f"{title}:\n\n```yaml\n{yaml_text.rstrip()}\n```\n"


def rule_descriptor(rule: RuleInfo) -> dict[str, Any]:
    """A reportingDescriptor for one rule of the catalogue."""
    markdown = (
        f"**{rule.message}**\n\n{rule.why}\n\n**How to fix:** {rule.hint}\n\n"
        + _example("Fails", rule.failing)
        + "\n"
        + _example("Passes", rule.passing)
    )
    if rule.references:
        markdown += "\nReferences: " + "; ".join(rule.references) + "\n"
    tags = [rule.area.lower()] + (["security"] if rule.security else [])
    properties: dict[str, Any] = {"tags": tags}
    if rule.security:
        properties["security-severity"] = SECURITY_SEVERITY[rule.severity]
    return {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": rule.message},
        "fullDescription": {"text": rule.why},
        "help": {"text": f"{rule.why}\nHow to fix: {rule.hint}", "markdown": markdown},
        "defaultConfiguration": {"level": level(rule.severity)},
        "properties": properties,
    }


def result(d: Diagnostic, index: dict[str, int], path: str | None = None) -> dict[str, Any]:
    """One result; ``path`` is the file relative to the repository root."""
    loc = d.location
    physical: dict[str, Any] = {"artifactLocation": artifact_location(path or loc.path)}
    if loc.line is not None and loc.line >= 1:
        region: dict[str, int] = {"startLine": loc.line}
        if loc.column is not None and loc.column >= 1:
            region["startColumn"] = loc.column
        physical["region"] = region
    out: dict[str, Any] = {
        "ruleId": d.rule_id,
        "level": level(d.severity),
        "message": {"text": f"{d.message}. How to fix: {d.hint}"},
        "locations": [{"physicalLocation": physical}],
    }
    if d.rule_id in index:
        out["ruleIndex"] = index[d.rule_id]
    properties: dict[str, str] = {}
    if loc.field:
        properties["field"] = loc.field
    if d.environment:
        properties["environment"] = d.environment
    if properties:
        out["properties"] = properties
    return out


def document(report: Report) -> dict[str, Any]:
    rules = sorted(report.rules, key=lambda r: r.id)
    index = {rule.id: i for i, rule in enumerate(rules)}
    run = {
        "tool": {
            "driver": {
                "name": "smtpops",
                "version": __version__,
                "semanticVersion": __version__,
                "rules": [rule_descriptor(rule) for rule in rules],
            }
        },
        "invocations": [{"executionSuccessful": not report.input_error}],
        "results": [
            result(d, index, report.repo_path(d.location.path)) for d in report.diagnostics
        ],
        "columnKind": "unicodeCodePoints",
    }
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def write(report: Report, stream: IO[str]) -> None:
    # one write: json.dump would write each of its many small pieces separately
    stream.write(json.dumps(document(report), indent=2) + "\n")
