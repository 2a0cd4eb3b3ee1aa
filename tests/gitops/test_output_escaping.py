"""Terminal and review injection: ESC sequences (an OSC window title, cursor-up + erase-line),
BEL, a bare CR and U+202E (right-to-left override) in a ``description`` reached the terminal
raw in ``smtpops diff`` (text and Markdown) and ``smtpops history``, so a reviewer could be
shown something other than what will merge. Every formatter now uses the one escaper."""

from __future__ import annotations

import io
import json

import pytest

from smtpops import reporters
from smtpops.diagnostics import Diagnostic, Location, Report, Severity
from smtpops.reporters.safe import visible
from tests.gitops.conftest import Project

HOSTILE = "ok\x1b]0;owned\x07\x1b[1A\x1b[2K\rhost: smtp.gmail.com \u202emoc.live\u202c\x9b31m"
RAW = ("\x1b", "\x07", "\u202e", "\u202c", "\x9b")


def assert_escaped(text: str) -> None:
    for char in RAW:
        assert char not in text, f"{char!r} reached the output raw"
    assert "\r" not in text.replace("\r\n", "")
    assert "\\x1b]0;owned\\x07" in text and "\\u202e" in text


@pytest.fixture
def changed(project: Project) -> str:
    base = project.head()
    project.add_config("development", "main", description=f'"{_yaml(HOSTILE)}"')
    return base


def _yaml(text: str) -> str:
    return json.dumps(text)[1:-1]  # a double-quoted YAML scalar takes JSON's escapes


@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_diff_escapes_what_the_change_says(project: Project, run_cli, changed, fmt: str) -> None:
    result = run_cli("diff", changed, "HEAD", "--format", fmt, expect=0)
    assert "description" in result.stdout
    assert_escaped(result.stdout)


def test_diff_json_keeps_the_exact_value(project: Project, run_cli, changed) -> None:
    result = run_cli("diff", changed, "HEAD", "--format", "json", expect=0)
    fields = json.loads(result.stdout)["configs"][0]["fields"]
    assert {f["field"]: f.get("new") for f in fields}["description"] == HOSTILE


def test_history_escapes_descriptions_and_commit_subjects(
    project: Project, run_cli, changed
) -> None:
    path = project.root / "configs" / "development" / "main.yaml"
    path.write_text(path.read_text().replace("wait_timeout: 5", "wait_timeout: 6"))
    project.commit("Harmless\x1b]0;owned\x07\x1b[1A\x1b[2K\rrelabel \u202emoc.live")
    result = run_cli("history", expect=0)
    assert "description" in result.stdout
    assert_escaped(result.stdout)


def test_errors_are_escaped_at_the_boundary(run_cli, repo_dir) -> None:
    result = run_cli("history", "development/x\x1b]0;owned\x07\u202e")
    assert result.exit_code in (1, 2), repr(result)
    for char in RAW[:3]:
        assert char not in result.stderr


def test_every_report_format_escapes_a_finding() -> None:
    d = Diagnostic(
        rule_id="HOST001",
        severity=Severity.ERROR,
        message=f"the host '{HOSTILE}' is wrong",
        hint="Fix it.",
        location=Location(path="configs/development/x.yaml", line=1, column=1, field="host"),
    )
    report = Report(diagnostics=(d,), files=("configs/development/x.yaml",))
    for name in ("text", "github", "junit", "sarif"):
        out = io.StringIO()
        reporters.get(name)(report, out)
        for char in RAW:
            assert char not in out.getvalue(), (name, char)


@pytest.mark.parametrize(
    "raw, shown",
    [
        ("\x1b[2K", "\\x1b[2K"),
        ("\x07", "\\x07"),
        ("a\rb", "a\\x0db"),
        ("\u202e", "\\u202e"),
        ("\u2066x\u2069", "\\u2066x\\u2069"),
        ("\U000e0041", "\\U000e0041"),
        ("\ud800", "\\ud800"),
        ("tab\there", "tab\\x09here"),
    ],
)
def test_visible(raw: str, shown: str) -> None:
    assert visible(raw) == shown


def test_visible_keeps_lines_but_never_a_bare_cr() -> None:
    assert visible("a\nb\r\nc\rd", keep_lines=True) == "a\nb\r\nc\\x0dd"
