"""``--format text`` (the default): readable lines, colour only on a terminal, NO_COLOR honoured,
and values quoted from config files shown with control characters escaped."""

from __future__ import annotations

import io
import os
import pty
import subprocess
import sys

import pytest

from smtpops.diagnostics import Diagnostic, Location, Report, Severity
from smtpops.reporters import text

ESC = "\x1b["


def run_on_terminal(cwd, **env_changes: str | None) -> str:
    """Run ``smtpops validate`` with its stdout on a pseudo-terminal; what it wrote."""
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    env.update({k: v for k, v in env_changes.items() if v is not None})
    main, child = pty.openpty()
    try:
        subprocess.run(
            [sys.executable, "-m", "smtpops", "validate"],
            stdout=child,
            stderr=subprocess.DEVNULL,
            cwd=cwd,
            env=env,
            timeout=60,
            check=False,
        )
    finally:
        os.close(child)
    chunks = []
    try:
        while data := os.read(main, 65536):
            chunks.append(data)
    except OSError:  # EIO once the terminal's other end is closed
        pass
    finally:
        os.close(main)
    return b"".join(chunks).decode("utf-8")


@pytest.fixture
def warned(project):
    project.write("development", "plain", auth_protocol="PLAIN")
    project.write("development", "broken", port=0)
    return project


def test_finding_lines_name_file_line_column_rule_field_and_fix(warned, run_cli, findings):
    result = run_cli("validate", expect=1)
    lines = result.stdout.splitlines()
    for d in findings():
        head = f"{d['path']}:{d['line']}:{d['column']}: {d['severity']} {d['rule']} [{d['field']}] {d['message']}"
        index = lines.index(head)
        assert lines[index + 1] == f"    How to fix: {d['hint']}"
    assert lines[-1].startswith("✗ 2 files checked: ")


def test_clean_summary(project, run_cli):
    project.write("development", "clean")
    assert run_cli("validate", expect=0).stdout == "✓ 1 file checked, no problems found\n"


def test_colour_on_a_terminal(warned):
    out = run_on_terminal(warned.root)
    assert f"{ESC}31merror{ESC}0m" in out
    assert f"{ESC}33mwarning{ESC}0m" in out


def test_no_color_switches_colour_off_on_a_terminal(warned):
    out = run_on_terminal(warned.root, NO_COLOR="1")
    assert ESC not in out
    assert "error PORT001" in out


def test_no_colour_into_a_pipe(warned):
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    proc = subprocess.run(
        [sys.executable, "-m", "smtpops", "validate"],
        capture_output=True,
        text=True,
        cwd=warned.root,
        env=env,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 1, proc.stderr
    assert "error PORT001" in proc.stdout and ESC not in proc.stdout


def test_force_color_without_a_terminal(warned, run_cli):
    result = run_cli("validate", env={"NO_COLOR": "", "FORCE_COLOR": "1"}, expect=1)
    assert f"{ESC}31merror{ESC}0m" in result.stdout


def test_no_color_wins_over_force_color(warned, run_cli):
    result = run_cli("validate", env={"NO_COLOR": "1", "FORCE_COLOR": "1"}, expect=1)
    assert ESC not in result.stdout


def test_values_cannot_repaint_the_terminal(project, run_cli):
    project.write("development", "odd", host="smtp\x1b[2J\u202e.example.com", username="a\rb")
    result = run_cli("validate", env={"NO_COLOR": "", "FORCE_COLOR": "1"}, expect=1)
    painted = result.stdout.replace(f"{ESC}0m", "")
    for code in ("31m", "33m", "32m", "1m"):
        painted = painted.replace(ESC + code, "")
    assert "\x1b" not in painted and "\u202e" not in painted and "\r" not in painted
    assert "'smtp\\x1b[2J\\u202e.example.com'" in painted


def test_the_text_reporter_escapes_what_it_is_given():
    report = Report(
        diagnostics=(
            Diagnostic(
                rule_id="HDR005",
                severity=Severity.ERROR,
                message="bad\r\nX-Evil: 1\x07",
                hint="fix\ud800",
                location=Location(path="a\x1b.yaml", line=2, field="f\n"),
            ),
        ),
        files=("a\x1b.yaml",),
    )
    out = io.StringIO()
    text.write(report, out)
    assert out.getvalue().splitlines()[:2] == [
        "a\\x1b.yaml:2: error HDR005 [f\\x0a] bad\\x0d\\x0aX-Evil: 1\\x07",
        "    How to fix: fix\\ud800",
    ]
    out.getvalue().encode("utf-8")  # no lone surrogate left to break a UTF-8 stream


def test_quiet_shows_only_errors_and_keeps_the_exit_code(project, run_cli):
    project.write("development", "broken", port=0)
    project.write("development", "gmail", host="smtp.gmail.com")  # notes about Gmail
    project.write("production", "warned", helo_hostname="localhost")  # a warning
    full = run_cli("validate", expect=1).stdout
    assert " info PROV007 " in full and " warning " in full
    quiet = run_cli("validate", "--quiet", expect=1).stdout
    assert " error PORT001 " in quiet
    assert " info " not in quiet and " warning " not in quiet
    assert "of lower severity not shown" in quiet
    warn = run_cli("validate", "--min-severity", "warning", expect=1).stdout
    assert " warning " in warn and " info " not in warn


def test_hidden_warnings_still_fail_under_strict(project, run_cli):
    project.write("production", "warned", helo_hostname="localhost")
    run_cli("validate", "--quiet", expect=0)
    result = run_cli("validate", "--quiet", "--strict", expect=1)
    assert " warning " not in result.stdout


def test_a_provider_note_is_shown_once_per_run(project, run_cli, findings):
    for name in ("a", "b", "c"):
        project.write("development", f"gmail-{name}", host="smtp.gmail.com")
    notes = [d for d in findings() if d["rule"] == "PROV007"]
    assert len(notes) == len({d["message"] for d in notes})  # each note once
    assert notes and all("also applies to 2 more files" in d["message"] for d in notes)
    assert {d["path"] for d in notes} == {"configs/development/gmail-a.yaml"}
