"""The code stays ruff-clean (lint and format)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.tooling import find_tool

ROOT = Path(__file__).resolve().parents[1]


def _ruff() -> str:
    return find_tool("ruff", hint="it is in the 'test' extra")


@pytest.mark.parametrize("args", [["check", "."], ["format", "--check", "."]])
def test_ruff(args: list[str]) -> None:
    out = subprocess.run([_ruff(), *args], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


def test_mypy_strict() -> None:
    found = find_tool("mypy", hint="it is in the 'test' extra")
    out = subprocess.run([found], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
