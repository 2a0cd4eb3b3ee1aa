"""Several reports from one run: ``--format`` on stdout plus ``--output FORMAT:FILE``."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import CANARY, assert_no_canary

FORMATS = ("text", "json", "github", "sarif", "junit")


def test_every_format_to_a_file_in_one_run(project, run_cli):
    project.write("development", "clean")
    project.write("production", "bad", host="127.0.0.1")
    project.write("development", "plain", auth_protocol="PLAIN")
    args = [f"--output={fmt}:out/report.{fmt}" for fmt in FORMATS]
    (project.root / "out").mkdir()
    result = run_cli("validate", "--format", "text", *args, expect=1)
    assert "HOST004" in result.stdout  # the terminal still gets the text report

    out = project.root / "out"
    as_json = json.loads((out / "report.json").read_text())
    rules = sorted(d["rule"] for d in as_json["diagnostics"])
    assert rules == ["AUTH002", "HOST004"]
    sarif = json.loads((out / "report.sarif").read_text())
    assert sorted(r["ruleId"] for r in sarif["runs"][0]["results"]) == rules
    github = (out / "report.github").read_text().splitlines()
    assert (
        sorted(line.split("title=")[1].split("::")[0] for line in github if "title=" in line)
        == rules
    )
    suite = ET.parse(out / "report.junit").getroot().find("testsuite")
    assert suite is not None and suite.get("tests") == "3" and suite.get("failures") == "1"
    assert (out / "report.text").read_text() == result.stdout


def test_the_same_format_twice_writes_the_same_report(project, run_cli):
    project.write("development", "broken", port=0)
    run_cli("validate", "--output", "sarif:a.sarif", "--output", "sarif:b.sarif", expect=1)
    assert (project.root / "a.sarif").read_text() == (project.root / "b.sarif").read_text()


def test_an_output_file_is_replaced_not_appended(project, run_cli):
    project.write("development", "clean")
    target = project.root / "report.json"
    target.write_text("old content that is not JSON")
    run_cli("validate", "--output", f"json:{target}", expect=0)
    assert json.loads(target.read_text())["summary"]["errors"] == 0


def test_no_format_leaks_a_plaintext_password(project, run_cli):
    project.write("development", "leaky", password=CANARY, port=0)
    for fmt in FORMATS:
        result = run_cli("validate", "--format", fmt, f"--output={fmt}:copy.{fmt}")
        assert result.exit_code == 1, repr(result)
        assert_no_canary(result.stdout, result.stderr, (project.root / f"copy.{fmt}").read_text())


def test_json_output_has_a_version_and_the_documented_fields(project, run_cli):
    import re
    from pathlib import Path

    project.write("development", "broken", port=0)
    data = json.loads(run_cli("validate", "--format", "json", expect=1).stdout)
    assert data["version"] == 1
    assert set(data) == {"version", "files", "summary", "diagnostics"}
    assert set(data["summary"]) == {"files", "errors", "warnings", "notes", "hidden", "exit_code"}
    diagnostic_keys = set(data["diagnostics"][0])
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    section = readme.split("### JSON output", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"^\| `([a-z_.\[\]]+)` \|", section, re.M))
    for key in {*data, *(f"summary.{k}" for k in data["summary"]), *diagnostic_keys}:
        assert key in documented or f"diagnostics[].{key}" in documented, key


@settings(max_examples=300, deadline=None)
@given(
    st.recursive(
        st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text()),
        lambda inner: st.one_of(
            st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=5), inner, max_size=3)
        ),
        max_leaves=12,
    )
)
def test_the_json_writer_writes_what_json_dumps_writes(value):
    """The JSON report's own indented writer (json's is pure Python) gives the same text."""
    import json

    from smtpops.reporters import json_

    assert json_.dumps(value) == json.dumps(value, indent=2)
