"""Start-up stays light, every command has help, and the bundled data is found."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import click
import pytest

from smtpops.cli import COMMANDS, LazyGroup, cli
from tests.tooling import missing

HEAVY = (
    "git",
    "dns",
    "jinja2",
    "cryptography",
    "pyrage",
    "jsonschema",
    "aiosmtpd",
    "starlette",
    "uvicorn",
    "playwright",
)
ROOT = Path(__file__).resolve().parents[1]


def test_importing_the_cli_loads_no_heavy_module() -> None:
    code = (
        "import sys, smtpops.cli; "
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout


def test_top_level_help_lists_the_commands(run_cli) -> None:
    result = run_cli("--help", expect=0)
    assert "validate" in result.stdout and "rules" in result.stdout


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_exists_and_has_help(name: str, run_cli) -> None:
    module_name, attr = COMMANDS[name].split(":")
    module = importlib.import_module(f"smtpops.cli.{module_name}")  # a missing module fails
    assert isinstance(getattr(module, attr), click.Command)
    assert LazyGroup(commands={}).get_command(click.Context(cli), name) is getattr(module, attr)
    result = run_cli(name, "--help", expect=0)
    assert "Usage:" in result.stdout


def test_unknown_command_is_a_usage_error(run_cli) -> None:
    assert run_cli("valdate").exit_code == 2


def test_rules_lists_and_explains(run_cli) -> None:
    listing = run_cli("rules", expect=0).stdout
    assert "PORT003" in listing and "HOST004" in listing
    text = run_cli("rules", "port003", expect=0).stdout
    assert "Failing example" in text and "How to fix" in text
    data = json.loads(run_cli("rules", "TLS", "--format", "json", expect=0).stdout)
    assert {r["id"] for r in data} >= {"TLS001", "TLS002", "TLS004"}
    assert "Did you mean PORT003" in run_cli("rules", "PORT03", expect=2).stderr


def test_python_dash_m_works() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "smtpops", "--version"], capture_output=True, text=True
    )
    assert out.returncode == 0 and "smtpops" in out.stdout


@pytest.mark.slow
def test_wheel_bundles_schemas_and_providers(tmp_path: Path) -> None:
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
        capture_output=True,
        text=True,
    )
    if build.returncode != 0:
        missing(f"cannot build a wheel here: {build.stderr[-300:]}")
    (wheel,) = tmp_path.glob("smtpops-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "smtpops/_data/schemas/smtp-config.schema.json" in names
    for rel in (  # what `smtpops init` lays out
        ".github/workflows/validate.yml",
        ".github/workflows/smtpops-deploy.yml",
        ".github/CODEOWNERS",
        ".pre-commit-hooks.yaml",
        "configs/environments.yaml",
    ):
        assert f"smtpops/_data/{rel}" in names, rel
    assert any(n.startswith("smtpops/_data/providers/") for n in names) or not any(
        (ROOT / "providers").iterdir()
    )


def test_a_registered_command_without_its_module_is_a_loud_error(monkeypatch) -> None:
    monkeypatch.setitem(COMMANDS, "ghost", "no_such_module:ghost")
    group = LazyGroup(commands={})
    assert "ghost" in group.list_commands(click.Context(cli))  # never silently hidden
    with pytest.raises(ModuleNotFoundError):
        group.get_command(click.Context(cli), "ghost")
