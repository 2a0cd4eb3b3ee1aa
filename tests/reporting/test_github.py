"""``--format github``: workflow commands that GitHub Actions turns into annotations."""

from __future__ import annotations

import re

from smtpops.diagnostics import Diagnostic, Location, Report, Severity
from smtpops.reporters import github

COMMAND = re.compile(r"^::(error|warning|notice) ([^:]*)::(.*)$")
LEVEL = {"error": "error", "warning": "warning", "info": "notice"}


def unescape(text: str) -> str:
    """The runner's reading of an escaped value (actions/runner ``ActionCommand``)."""
    for code, char in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ",")):
        text = text.replace(code, char)
    return text.replace("%25", "%")


def parse(output: str) -> list[tuple[str, dict[str, str], str]]:
    found = []
    for line in output.splitlines():
        match = COMMAND.match(line)
        if match:
            props = dict(p.split("=", 1) for p in match.group(2).split(","))
            props = {k: unescape(v) for k, v in props.items()}
            found.append((match.group(1), props, unescape(match.group(3))))
        else:
            assert not line.startswith("::"), f"malformed workflow command: {line!r}"
    return found


def test_one_annotation_per_finding_with_position_and_rule(project, run_cli, findings):
    project.write("development", "plain", auth_protocol="PLAIN")
    project.write("production", "bad", host="10.0.0.5", port=0)
    expected = findings()
    result = run_cli("validate", "--format", "github", expect=1)
    annotations = parse(result.stdout)
    assert len(annotations) == len(expected) >= 3
    for (command, props, message), d in zip(annotations, expected, strict=True):
        assert command == LEVEL[d["severity"]]
        assert props == {
            "file": d["path"],
            "line": str(d["line"]),
            "col": str(d["column"]),
            "title": d["rule"],
        }
        assert message == f"[{d['field']}] {d['message']}\nHow to fix: {d['hint']}"
    errors = sum(d["severity"] == "error" for d in expected)
    warnings = sum(d["severity"] == "warning" for d in expected)
    summary = f"smtpops: 2 file(s) checked: {errors} error(s), {warnings} warning(s)"
    assert result.stdout.splitlines()[-1] == summary


def test_clean_run_has_no_annotations(project, run_cli):
    project.write("development", "clean")
    result = run_cli("validate", "--format", "github", expect=0)
    assert parse(result.stdout) == []
    assert "0 error(s)" in result.stdout


def test_file_names_and_messages_are_escaped(project, run_cli, findings):
    project.write("development", "clean")
    odd = "odd,name:100%.yaml"
    project.raw("development", odd, (project.root / "configs/development/clean.yaml").read_text())
    project.write("development", "pct", host="smtp%41.example.com")
    result = run_cli("validate", "--format", "github", expect=1)
    assert "file=configs/development/odd%2Cname%3A100%25.yaml," in result.stdout
    assert "smtp%2541.example.com" in result.stdout
    paths = {props["file"] for _, props, _ in parse(result.stdout)}
    assert f"configs/development/{odd}" in paths
    messages = [m for _, _, m in parse(result.stdout)]
    assert any("smtp%41.example.com" in m for m in messages)
    assert {d["path"] for d in findings()} == paths


def _diagnostic(message: str, path: str = "configs/a.yaml", **loc: object) -> Diagnostic:
    return Diagnostic(
        rule_id="HDR005",
        severity=Severity.ERROR,
        message=message,
        hint="Remove it.",
        location=Location(path=path, **loc),  # type: ignore[arg-type]
    )


def test_a_line_break_in_a_message_cannot_start_a_new_command():
    evil = "value\r\n::warning file=x::injected\n::add-mask::x"
    line = github.annotation(_diagnostic(evil, line=3, column=5, field="custom_headers"))
    assert line.count("\n") == 1 and line.endswith("\n")
    ((command, props, message),) = parse(line)
    assert command == "error" and props["line"] == "3"
    shown = "value\\x0d\\x0a::warning file=x::injected\\x0a::add-mask::x"
    assert message == f"[custom_headers] {shown}\nHow to fix: Remove it."


def test_control_characters_are_shown_not_sent():
    line = github.annotation(_diagnostic("bell\x07 and escape\x1b[2J"))
    assert "\x07" not in line and "\x1b" not in line
    assert "bell\\x07 and escape\\x1b[2J" in line


def test_location_without_line_gives_a_file_annotation():
    line = github.annotation(_diagnostic("x", path="configs"))
    assert line.startswith("::error file=configs,title=HDR005::")


def test_escaping_matches_the_actions_toolkit():
    assert github.escape_data("50%\r\n:,") == "50%25%0D%0A:,"
    assert github.escape_property("50%\r\n:,") == "50%25%0D%0A%3A%2C"


def test_warnings_and_notes_use_their_own_commands():
    report = Report(
        diagnostics=(
            Diagnostic(
                rule_id="A001",
                severity=Severity.WARNING,
                message="w",
                hint="h",
                location=Location(path="f.yaml", line=1),
            ),
            Diagnostic(
                rule_id="A002",
                severity=Severity.INFO,
                message="i",
                hint="h",
                location=Location(path="f.yaml", line=2),
            ),
        ),
        files=("f.yaml",),
    )
    import io

    out = io.StringIO()
    github.write(report, out)
    assert [c for c, _, _ in parse(out.getvalue())] == ["warning", "notice"]


def test_annotation_paths_are_relative_to_the_repository_root(project, run_cli, monkeypatch):
    """Annotations land on the pull request's files only with root-relative paths, also
    when the run starts in configs/ (`cd configs && smtpops validate --format github`)."""
    project.write("production", "broken", port=0)
    (project.root / ".git").mkdir()
    for cwd in (project.root, project.root / "configs", project.root / "configs" / "production"):
        monkeypatch.chdir(cwd)
        result = run_cli("validate", "--format", "github", expect=1)
        files = {props["file"] for _, props, _ in parse(result.stdout)}
        assert files == {"configs/production/broken.yaml"}, cwd
