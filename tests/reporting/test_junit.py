"""``--format junit``: one testsuite, one testcase per checked file, failures for errors."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET

from smtpops.diagnostics import Diagnostic, Location, Report, Severity
from smtpops.reporters import junit as junit_reporter


def junit(run_cli, *args: str, expect: int) -> ET.Element:
    result = run_cli("validate", "--format", "junit", *args, expect=expect)
    assert result.stdout.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    root = ET.fromstring(result.stdout.encode("utf-8"))
    assert root.tag == "testsuites"
    (suite,) = root.findall("testsuite")
    return suite


def cases(suite: ET.Element) -> dict[str, ET.Element]:
    return {case.get("name", ""): case for case in suite.findall("testcase")}


def test_one_case_per_file_and_a_failure_per_file_with_errors(project, run_cli, findings):
    project.write("development", "clean")
    project.write("development", "plain", auth_protocol="PLAIN")
    project.write("production", "bad", host="127.0.0.1", port=0)
    expected = findings()
    suite = junit(run_cli, expect=1)
    by_name = cases(suite)
    assert set(by_name) == {
        "configs/development/clean.yaml",
        "configs/development/plain.yaml",
        "configs/production/bad.yaml",
    }
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("3", "1", "0")
    assert by_name["configs/development/clean.yaml"].find("failure") is None
    assert by_name["configs/development/plain.yaml"].find("failure") is None
    assert "AUTH002" in by_name["configs/development/plain.yaml"].findtext("system-out", "")
    failure = by_name["configs/production/bad.yaml"].find("failure")
    assert failure is not None
    bad_errors = [
        d for d in expected if d["path"].endswith("bad.yaml") and d["severity"] == "error"
    ]
    assert failure.get("type") == bad_errors[0]["rule"]
    for d in bad_errors:
        assert f"{d['path']}:{d['line']}:{d['column']}: error {d['rule']}" in (failure.text or "")
        assert d["hint"] in (failure.text or "")


def test_strict_turns_warnings_into_failures(project, run_cli):
    project.write("development", "plain", auth_protocol="PLAIN")
    assert cases(junit(run_cli, expect=0))["configs/development/plain.yaml"].find("failure") is None
    suite = junit(run_cli, "--strict", expect=1)
    failure = cases(suite)["configs/development/plain.yaml"].find("failure")
    assert failure is not None and failure.get("type") == "AUTH002"
    assert suite.get("failures") == "1"


def test_markup_and_control_characters_stay_well_formed(project, run_cli):
    project.write("development", "odd", host='<b>"smtp"&\x01\x1b.example.com')
    project.raw("development", "a&b<c>.yaml", "name: [unclosed\n")
    suite = junit(run_cli, expect=1)
    by_name = cases(suite)
    assert "configs/development/a&b<c>.yaml" in by_name
    text = by_name["configs/development/odd.yaml"].find("failure").text or ""
    assert '<b>"smtp"&' in text
    assert "\x01" not in text and "\x1b" not in text


def test_repository_findings_fail_each_file_they_name(project, run_cli, findings):
    project.write("development", "first", active=True)
    project.write("development", "second", active=True)
    assert {d["rule"] for d in findings()} == {"REPO003"}
    suite = junit(run_cli, expect=1)
    assert suite.get("failures") == "2"
    for case in cases(suite).values():
        assert case.find("failure").get("type") == "REPO003"


def test_findings_about_a_path_that_was_not_checked_get_their_own_case():
    report = Report(
        diagnostics=(
            Diagnostic(
                rule_id="REPO005",
                severity=Severity.ERROR,
                message="m",
                hint="h",
                location=Location(path="configs"),
            ),
        ),
        files=("configs/development/a.yaml",),
    )
    out = io.StringIO()
    junit_reporter.write(report, out)
    suite = ET.fromstring(out.getvalue().encode()).find("testsuite")
    assert [c.get("name") for c in suite.findall("testcase")] == [
        "configs/development/a.yaml",
        "configs",
    ]
    assert suite.get("tests") == "2" and suite.get("failures") == "1"
