"""Shell completion through click's completion API (what `_SMTPOPS_COMPLETE` runs):
commands, environment names, ENV/NAME configs, rule and provider IDs."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.shell_completion import ShellComplete
from click.testing import CliRunner

from smtpops.cli import cli


def complete(*words: str) -> list[str]:
    """What Tab offers after ``smtpops WORDS``; the last word is the one being typed."""
    shell = ShellComplete(cli, {}, "smtpops", "_SMTPOPS_COMPLETE")
    return [item.value for item in shell.get_completions(list(words[:-1]), words[-1])]


@pytest.fixture
def tree(repo_dir: Path) -> Path:
    for env, name in (("development", "sandbox"), ("production", "main"), ("production", "spare")):
        folder = repo_dir / "configs" / env
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{name}.yaml").write_text(f"name: {name}\n")
    (repo_dir / "configs" / "environments.yaml").write_text(
        "environments:\n  - name: development\n  - name: qa\n  - name: production\n"
    )
    return repo_dir


def test_configs_complete_as_env_slash_name(tree: Path) -> None:
    assert complete("deploy", "") == ["development/sandbox", "production/main", "production/spare"]
    assert complete("deploy", "production/s") == ["production/spare"]
    assert complete("secrets", "set-password", "prod") == ["production/main", "production/spare"]
    assert complete("remove", "dev") == ["development/sandbox"]
    assert complete("history", "production/m") == ["production/main"]
    assert complete("test", "production/") == ["production/main", "production/spare"]
    assert complete("test", "--env", "q") == ["qa"]


def test_environments_complete_from_the_repository(tree: Path) -> None:
    assert complete("keys", "init", "--env", "") == ["development", "qa", "production"]
    assert complete("rollback", "p") == ["production"]
    assert complete("status", "--env", "q") == ["qa"]
    assert complete("promote", "main", "--from", "d") == ["development"]
    assert complete("deactivate", "") == ["development", "qa", "production"]


def test_a_path_still_completes_as_a_file(tree: Path) -> None:
    shell = ShellComplete(cli, {}, "smtpops", "_SMTPOPS_COMPLETE")
    (item,) = shell.get_completions(["deploy"], "configs/prod")
    assert item.type == "file"


def test_commands_rules_and_providers_complete(tree: Path) -> None:
    assert {"deploy", "deactivate"} <= set(complete("de"))
    assert "init" in complete("in")
    assert complete("rules", "TLS00")[:2] == ["TLS001", "TLS002"]
    assert "office365" in complete("providers", "show", "off")


def test_outside_a_repository_environments_are_the_defaults(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert complete("keys", "init", "--env", "") == ["development", "staging", "production"]
    assert complete("deploy", "") == []


def test_a_broken_environments_file_still_completes_the_folders(tree: Path) -> None:
    (tree / "configs" / "environments.yaml").write_text("environments: [\n")
    assert complete("keys", "init", "--env", "") == ["development", "production"]


def test_the_documented_bash_hook_answers(tree: Path) -> None:
    """`eval "$(_SMTPOPS_COMPLETE=bash_source smtpops)"` installs a function that calls
    smtpops with these variables on each Tab."""
    runner = CliRunner()
    source = runner.invoke(cli, [], prog_name="smtpops", env={"_SMTPOPS_COMPLETE": "bash_source"})
    assert "_SMTPOPS_COMPLETE=bash_complete" in source.stdout
    env = {
        "_SMTPOPS_COMPLETE": "bash_complete",
        "COMP_WORDS": "smtpops deploy production/",
        "COMP_CWORD": "2",
    }
    result = runner.invoke(cli, [], prog_name="smtpops", env=env)
    assert result.stdout.splitlines() == ["plain,production/main", "plain,production/spare"]
