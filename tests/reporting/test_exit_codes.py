"""Exit codes of ``smtpops validate``, the same whatever the output format."""

from __future__ import annotations

import os

import pytest

FORMATS = ("text", "json", "github", "sarif", "junit")


@pytest.mark.parametrize("fmt", FORMATS)
def test_clean_is_0(project, run_cli, fmt):
    project.write("development", "clean")
    run_cli("validate", "--format", fmt, expect=0)


@pytest.mark.parametrize("fmt", FORMATS)
def test_errors_are_1(project, run_cli, fmt):
    project.write("development", "broken", port=0)
    result = run_cli("validate", "--format", fmt, expect=1)
    assert "PORT001" in result.stdout


@pytest.mark.parametrize("fmt", FORMATS)
def test_warnings_alone_are_0_and_1_with_strict(project, run_cli, findings, fmt):
    project.write("development", "plain", auth_protocol="PLAIN")
    found = findings()
    assert [d["rule"] for d in found] == ["AUTH002"]
    assert found[0]["severity"] == "warning"
    run_cli("validate", "--format", fmt, expect=0)
    run_cli("validate", "--format", fmt, "--strict", expect=1)


def test_strict_does_not_fail_a_clean_run(project, run_cli):
    project.write("development", "clean")
    run_cli("validate", "--strict", expect=0)


def test_unreadable_file_is_2(project, run_cli, findings):
    project.write("development", "clean")
    folder = project.root / "configs" / "development"
    os.symlink(folder / "gone", folder / "dangling.yaml")
    result = run_cli("validate", "--format", "json", expect=2)
    assert "FILE008" in result.stdout
    assert "FILE008" in {d["rule"] for d in findings()}


def test_missing_path_is_2(project, run_cli):
    result = run_cli("validate", "configs/nowhere/none.yaml", expect=2)
    assert "no such config file" in result.stderr
    assert "Traceback" not in result.output


def test_no_configs_folder_is_2(tmp_path, monkeypatch, run_cli):
    monkeypatch.chdir(tmp_path)
    result = run_cli("validate", expect=2)
    assert "configs/" in result.stderr


@pytest.mark.parametrize("spec", ["sarif", "sarif:", "xml:out.xml", ":out.txt", "SARIF:out.sarif"])
def test_bad_output_spec_is_2(project, run_cli, spec):
    project.write("development", "clean")
    result = run_cli("validate", "--output", spec, expect=2)
    assert "is not FORMAT:FILE" in result.stderr
    assert "How to fix" in result.stderr


def test_bad_output_spec_is_refused_before_anything_is_written(project, run_cli):
    project.write("development", "clean")
    run_cli("validate", "--output", "json:first.json", "--output", "bogus", expect=2)
    assert not (project.root / "first.json").exists()


def test_unwritable_output_file_is_2_not_a_crash(project, run_cli):
    project.write("development", "clean")
    result = run_cli("validate", "--output", "sarif:no/such/folder/out.sarif", expect=2)
    assert "cannot write the sarif report" in result.stderr
    assert "internal error" not in result.output


def test_unknown_format_is_2(project, run_cli):
    project.write("development", "clean")
    run_cli("validate", "--format", "xml", expect=2)
