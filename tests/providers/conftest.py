"""Fixtures for the provider tests: a project folder to run `smtpops new` in, and validation
through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty repository with configs/ (the working directory during the test)."""
    (tmp_path / "configs").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def validate(run_cli):
    """Validate paths through the CLI; returns (exit code, diagnostics)."""

    def run(*paths: str, strict: bool = False) -> tuple[int, list[dict]]:
        args = ["validate", *paths, "--format", "json"] + (["--strict"] if strict else [])
        result = run_cli(*args)
        assert result.exit_code in (0, 1), repr(result)
        return result.exit_code, json.loads(result.stdout)["diagnostics"]

    return run
