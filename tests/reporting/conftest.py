"""Fixtures for the reporter tests: a project folder with configs laid over the valid base."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from smtpops.rules.examples import BASE


@dataclass
class Project:
    root: Path

    def write(self, env: str, name: str, **fields: Any) -> Path:
        """``configs/<env>/<name>.yaml``: the base config with ``fields`` laid over it."""
        data = yaml.safe_load(BASE)
        data["name"] = name
        data.update(fields)
        text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
        return self.raw(env, f"{name}.yaml", text)

    def raw(self, env: str, file_name: str, text: str) -> Path:
        folder = self.root / "configs" / env
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / file_name
        path.write_text(text, encoding="utf-8")
        return path


@pytest.fixture
def project(repo_dir: Path) -> Project:
    return Project(repo_dir)


@pytest.fixture
def findings(run_cli: Any) -> Any:
    """The findings of a run, from the JSON reporter (the reference the others are held to)."""

    def run(*args: str) -> list[dict[str, Any]]:
        result = run_cli("validate", *args, "--format", "json")
        assert result.exit_code in (0, 1, 2), repr(result)
        return json.loads(result.stdout)["diagnostics"]  # type: ignore[no-any-return]

    return run
