"""The pre-commit hook definition other repositories use."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import yaml

HOOKS = Path(__file__).resolve().parents[2] / ".pre-commit-hooks.yaml"


def hook() -> dict:
    (only,) = [h for h in yaml.safe_load(HOOKS.read_text()) if h["id"] == "smtpops-validate"]
    return only


def test_hook_runs_validate_on_config_changes():
    h = hook()
    assert h["language"] == "python"
    assert shlex.split(h["entry"]) == ["smtpops", "validate"]
    assert h["pass_filenames"] is False  # repository rules need the whole tree
    files = re.compile(h["files"])
    for path in ("configs/production/main.yaml", "configs/dev/x.yml", "configs/environments.yaml"):
        assert files.search(path), path
    for path in (
        "README.md",
        "providers/gmail/provider.yaml",
        "configs/notes.txt",
        "x/configs/a.yaml",
    ):
        assert not files.search(path), path


def test_the_hook_entry_validates_the_tree(project, run_cli):
    project.write("development", "clean")
    project.write("development", "broken", port=0)
    args = shlex.split(hook()["entry"])[1:]
    result = run_cli(*args, expect=1)
    assert "broken.yaml" in result.stdout and "PORT001" in result.stdout


def test_the_secrets_hook_runs_the_keyless_check_on_every_commit(project, run_cli):
    (h,) = [h for h in yaml.safe_load(HOOKS.read_text()) if h["id"] == "smtpops-secrets"]
    assert shlex.split(h["entry"]) == ["smtpops", "secrets", "check"]
    assert h["always_run"] is True and h["pass_filenames"] is False
    assert "--require-key" not in h["entry"]  # contributors hold no key
    project.write("development", "clean")
    run_cli(*shlex.split(h["entry"])[1:], expect=0)
