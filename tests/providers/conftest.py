"""Fixtures for the provider tests: a project folder to run `smtpops new` in, and the
well-formed encrypted password block that stands in for `smtpops secrets set-password`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from smtpops.rules.examples import BASE

#: the `password:` line and `sops:` block of the rule-doc base config (real sops output for a
#: discarded key): what a config looks like once its password has been set
ENCRYPTED_PASSWORD = BASE[BASE.index("password:") :]

#: sample values for every template variable a provider may need
SAMPLE_PARAMS = {
    "amazon-ses": {"region": "eu-west-1"},
    "exchange": {"host": "mail.contoso.com"},
    "custom": {"host": "smtp.example.net"},
}


def sample_username(provider) -> dict[str, str]:
    if provider.username_format == "fixed":
        return {}
    return {"username": "alerts@example-utility.com"}


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


def write_config(root: Path, text: str, env: str = "development", name: str = "example") -> Path:
    path = root / "configs" / env / f"{name}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path
