"""JUnit XML for CI test dashboards: one testsuite, one testcase per checked file.

A file's testcase fails when it has findings that fail the run (errors, or warnings under
``--strict``); its other findings are listed in ``system-out``. Findings about a path that
is not one of the checked files (e.g. ``configs/environments.yaml``) get a testcase too.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import IO

from smtpops.diagnostics import Diagnostic, Report, Severity
from smtpops.reporters.safe import visible


def xml_text(text: str) -> str:
    """Characters XML 1.0 cannot carry, even escaped, become visible escapes."""
    return visible(text, keep_lines=True)


def _line(d: Diagnostic) -> str:
    field = f" [{d.location.field}]" if d.location.field else ""
    text = f"{d.location}: {d.severity.value} {d.rule_id}{field} {d.message}"
    return f"{visible(text)}\n    How to fix: {visible(d.hint)}"


def _fails(d: Diagnostic, strict: bool) -> bool:
    return d.severity is Severity.ERROR or (strict and d.severity is Severity.WARNING)


def write(report: Report, stream: IO[str]) -> None:
    by_path: dict[str, list[Diagnostic]] = {path: [] for path in report.files}
    for d in report.diagnostics:
        by_path.setdefault(d.location.path, []).append(d)
    suite = ET.Element("testsuite", name="smtpops validate")
    failed = 0
    for path, found in by_path.items():
        case = ET.SubElement(suite, "testcase", classname="smtpops.validate", name=xml_text(path))
        failing = [d for d in found if _fails(d, report.strict)]
        if failing:
            failed += 1
            rules = ", ".join(dict.fromkeys(d.rule_id for d in failing))
            failure = ET.SubElement(
                case,
                "failure",
                message=xml_text(f"{len(failing)} problem(s): {rules}"),
                type=failing[0].rule_id,
            )
            failure.text = xml_text("\n".join(_line(d) for d in failing))
        others = [d for d in found if not _fails(d, report.strict)]
        if others:
            ET.SubElement(case, "system-out").text = xml_text("\n".join(_line(d) for d in others))
    suite.set("tests", str(len(by_path)))
    suite.set("failures", str(failed))
    suite.set("errors", "0")
    suite.set("skipped", "0")
    root = ET.Element("testsuites", name="smtpops", tests=str(len(by_path)), failures=str(failed))
    root.append(suite)
    ET.indent(root)
    stream.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    stream.write(ET.tostring(root, encoding="unicode"))
    stream.write("\n")
