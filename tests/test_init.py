"""`smtpops init`: a new config repository laid out, idempotent, never overwriting; and
`validate` noting a schema copy that is missing or not the installed one (REPO007)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import yaml

from smtpops import __version__
from smtpops.resources import schema_path
from smtpops.services import layout
from tests.conftest import CANARY, assert_no_canary
from tests.tooling import find_tool

ROOT = Path(__file__).resolve().parents[1]
LAID = {
    "configs/environments.yaml",
    ".sops.yaml",
    "schemas/smtp-config.schema.json",
    ".github/workflows/validate.yml",
    ".github/workflows/smtpops-deploy.yml",
    ".pre-commit-config.yaml",
    ".github/CODEOWNERS",
    ".gitignore",
}


def tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in root.rglob("*")
        if p.is_file() and ".git" not in p.relative_to(root).parts[:1]
    }


def test_init_lays_out_a_repository_and_is_idempotent(run_cli, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = run_cli("init", expect=0)
    assert set(tree(tmp_path)) == LAID
    for rel in LAID:
        assert f"created  {rel}" in result.stdout
    assert (tmp_path / "schemas/smtp-config.schema.json").read_bytes() == schema_path().read_bytes()
    first = tree(tmp_path)
    again = run_cli("init", expect=0)
    assert tree(tmp_path) == first
    assert "nothing was changed" in again.stdout and "created" not in again.stdout


def test_init_never_overwrites_and_says_what_it_left(run_cli, tmp_path) -> None:
    (tmp_path / ".gitignore").write_text("node_modules/\n")
    (tmp_path / "configs").mkdir()
    (tmp_path / "configs" / "environments.yaml").write_text("environments:\n  - name: dev\n")
    result = run_cli("init", str(tmp_path), expect=0)
    assert (tmp_path / ".gitignore").read_text() == "node_modules/\n"
    assert "kept     .gitignore (exists; left as it is)" in result.stdout
    assert "kept     configs/environments.yaml" in result.stdout
    assert "created  .sops.yaml" in result.stdout


def test_the_laid_out_files_are_this_projects_own(run_cli, tmp_path) -> None:
    run_cli("init", str(tmp_path), expect=0)
    for name in ("validate.yml", "smtpops-deploy.yml"):
        mine = (tmp_path / ".github/workflows" / name).read_text()
        ours = (ROOT / ".github/workflows" / name).read_text()
        assert f'--quiet "smtpops=={__version__}"' in mine and "--quiet .\n" not in mine
        assert layout._SELF_INSTALL in ours  # only the install step differs
        assert (
            ours.replace(layout._SELF_INSTALL, layout._PACKAGE_INSTALL.format(version=__version__))
            == mine
        )
    validate = (tmp_path / ".github/workflows/validate.yml").read_text()
    assert '--base "$BASE_SHA"' in validate and "smtpops secrets check" in validate
    hooks = yaml.safe_load((tmp_path / ".pre-commit-config.yaml").read_text())["repos"][0]
    assert {h["id"] for h in hooks["hooks"]} == {"smtpops-validate", "smtpops-secrets"}
    assert (tmp_path / "configs/environments.yaml").read_text() == (
        ROOT / "configs/environments.yaml"
    ).read_text()
    assert ".smtpops/" in (tmp_path / ".gitignore").read_text()


def test_the_laid_out_workflows_match_githubs_schema(run_cli, tmp_path) -> None:
    tool = find_tool("check-jsonschema", hint="it is in the 'test' extra")
    run_cli("init", str(tmp_path), expect=0)
    for path in sorted((tmp_path / ".github/workflows").glob("*.yml")):
        result = subprocess.run(
            [tool, "--builtin-schema", "vendor.github-workflows", str(path)],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stdout + result.stderr


def test_quickstart_from_init_to_a_valid_encrypted_config(run_cli, tmp_path, monkeypatch) -> None:
    """The README's first steps: init, a key, a config; the modeline's schema is there."""
    monkeypatch.chdir(tmp_path)
    run_cli("init", expect=0)
    run_cli("keys", "init", "--env", "development", expect=0)
    run_cli(
        "new", "demo", "--env", "development", "--provider", "custom",
        "--set", "host=localhost", "--set", "port=2525",
        "--set", "helo_hostname=crm.example.test",
        "--username", "sandbox@example.test", "--password-stdin", "--no-guided",
        input=CANARY + "\n", expect=0,
    )  # fmt: skip
    config = tmp_path / "configs/development/demo.yaml"
    modeline = config.read_text().splitlines()[0]
    assert modeline == "# yaml-language-server: $schema=../../schemas/smtp-config.schema.json"
    assert (config.parent / "../../schemas/smtp-config.schema.json").resolve().is_file()
    result = run_cli("validate", "--format", "json", expect=0)
    assert json.loads(result.stdout)["diagnostics"] == []
    checked = run_cli("secrets", "check", expect=0)
    assert_no_canary(result.output, checked.output, *map(str, tree(tmp_path).values()))


def test_validate_notes_a_missing_or_old_schema(run_cli, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    run_cli("init", expect=0)
    run_cli("keys", "init", "--env", "development", expect=0)
    for name in ("a", "b"):
        run_cli(
            "new", name, "--env", "development", "--provider", "custom",
            "--set", "host=localhost", "--set", "port=2525",
            "--set", "helo_hostname=crm.example.test",
            "--username", "sandbox@example.test", "--password-stdin", "--no-guided",
            input="throwaway-pw-1\n", expect=0,
        )  # fmt: skip
    schema = tmp_path / "schemas/smtp-config.schema.json"

    def notes() -> list[dict]:
        found = json.loads(run_cli("validate", "--format", "json", expect=0).stdout)
        return [d for d in found["diagnostics"] if d["rule"] == "REPO007"]

    assert notes() == []
    schema.write_text('{"title": "an old copy"}\n')
    (note,) = notes()  # once, though two configs name it
    assert note["severity"] == "info" and "not the schema of the installed" in note["message"]
    assert "smtpops init --update-schema" in note["hint"]
    assert "kept     schemas/smtp-config.schema.json" in run_cli("init", expect=0).stdout
    run_cli("init", "--update-schema", expect=0)
    assert schema.read_bytes() == schema_path().read_bytes() and notes() == []
    schema.unlink()
    (note,) = notes()
    assert "does not exist" in note["message"] and "`smtpops init`" in note["hint"]
