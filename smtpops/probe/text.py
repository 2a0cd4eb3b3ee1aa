"""The connection test as a checklist for people: ✓/✗ per step, time, detail; on a failure
the plain message and the fix; one closing sentence."""

from __future__ import annotations

from collections.abc import Mapping
from typing import IO

from smtpops.probe.result import ProbeReport, StepResult

_MARKS = {"passed": ("✓", "32"), "failed": ("✗", "31"), "skipped": ("-", "2")}


def _paint(text: str, code: str, colour: bool) -> str:
    return f"\033[{code}m{text}\033[0m" if colour else text


def _line(step: StepResult, colour: bool) -> str:
    mark, code = _MARKS[step.status]
    timing = f"{step.duration_ms:>6} ms" if not step.skipped else " " * 9
    detail = step.detail if not step.skipped else f"skipped: {step.detail}"
    return f"  {_paint(mark, code, colour)} {step.title:<18} {timing}  {detail}".rstrip()


def steps(report: ProbeReport, *, colour: bool = False) -> list[str]:
    """The checklist, one line per step (no messages, warnings or summary)."""
    return [_line(step, colour) for step in report.steps]


def facts(values: Mapping[str, str]) -> str:
    """What the test found, in one line: ``host:port, TLSv1.3, AUTH LOGIN, 812 ms``. The one
    way test facts are shown to people (deploy output, commit bodies)."""
    bits = [f"{values.get('host', '?')}:{values.get('port', '?')}"]
    if values.get("tls_version"):
        bits.append(str(values["tls_version"]))
    if values.get("auth_mechanism"):
        bits.append(f"AUTH {values['auth_mechanism']}")
    if values.get("duration_ms"):
        bits.append(f"{values['duration_ms']} ms")
    return ", ".join(bits)


def write(
    report: ProbeReport, stream: IO[str], *, colour: bool = False, transcript: bool = False
) -> None:
    where = f" ({report.environment})" if report.environment else ""
    stream.write(f"Connection test of {report.config}{where}\n")
    for step in report.steps:
        stream.write(_line(step, colour) + "\n")
        for warning in step.warnings:
            stream.write(f"      {_paint('warning:', '33', colour)} {warning}\n")
        if not step.ok and not step.skipped:
            stream.write(f"      {step.message}\n")
            stream.write(f"      How to fix: {step.hint}\n")
    if transcript and report.transcript:
        stream.write("SMTP conversation:\n")
        for line in report.transcript:
            stream.write(f"  {line}\n")
    total = report.facts.get("duration_ms", "?")
    if report.passed:
        stream.write(_paint(f"✓ Passed in {total} ms. ", "32", colour) + report.summary + "\n")
    else:
        stream.write(_paint(f"✗ Failed after {total} ms. ", "31", colour) + report.summary + "\n")
