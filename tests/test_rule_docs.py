"""Every rule's documented failing example breaks it and its passing example passes,
through the CLI, so the docs cannot drift from the code."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
import yaml

from smtpops.rules import RULES
from smtpops.rules.examples import BASE
from smtpops.rules.registry import Example


def _overlay(fields: str) -> dict:
    data = yaml.safe_load(BASE)
    for key, value in (yaml.safe_load(fields) or {}).items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def _commit_base(example: Example, root: Path, env_dir: Path) -> None:
    """A git repository whose one commit holds the example's main file as ``base`` has it."""
    data = _overlay(example.base or "")
    name = example.file_name or f"{data.get('name', 'example')}.yaml"
    env_dir.mkdir(parents=True, exist_ok=True)
    (env_dir / name).write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    for args in (
        ["init", "-q"],
        ["add", "-A"],
        ["-c", "user.name=Doc", "-c", "user.email=doc@example.test", "commit", "-qm", "base"],
    ):
        subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


def materialise(example: Example, root: Path) -> Path:
    """Write the example's files into ``root/configs/<env>/`` and return the main file."""
    env_dir = root / "configs" / example.environment
    if example.base is not None:
        _commit_base(example, root, env_dir)
    env_dir.mkdir(parents=True, exist_ok=True)
    if example.whole_file:
        text = example.yaml
        name = example.file_name or "example.yaml"
    else:
        data = _overlay(example.yaml)
        text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
        name = example.file_name or f"{data.get('name', 'example')}.yaml"
    path = env_dir / name
    if example.file_name == "missing.yaml":
        os.symlink(env_dir / "does-not-exist", path)
    elif example.link:
        (root / "linked.yaml").write_bytes(text.encode("utf-8"))
        os.symlink(root / "linked.yaml", path)
    else:
        path.write_bytes(text.encode("utf-8", "surrogateescape"))
    for other, other_text in example.others.items():
        (env_dir / other).write_text(other_text, encoding="utf-8")
    for relative, repo_text in example.repo_files.items():
        (root / relative).write_text(repo_text, encoding="utf-8")
    return path


def found(run_cli, root: Path, example: Example) -> tuple[int, list[dict]]:
    base = ("--base", "HEAD") if example.base is not None else ()
    if base:
        os.chdir(root)  # the repository the base is in
    env = {"SMTPOPS_TODAY": example.today} if example.today else None
    result = run_cli("validate", str(root / "configs"), "--format", "json", *base, env=env)
    assert result.exit_code in (0, 1, 2), repr(result)
    return result.exit_code, json.loads(result.stdout)["diagnostics"]


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_failing_example_breaks_the_rule(
    rule_id: str, run_cli, tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.chdir(tmp_path.parent)
    materialise(RULES[rule_id].bad, tmp_path)
    code, diagnostics = found(run_cli, tmp_path, RULES[rule_id].bad)
    assert rule_id in {d["rule"] for d in diagnostics}, diagnostics
    assert (
        code != 0
        or RULES[rule_id].severity.value != "error"
        or any(d["severity"] != "error" for d in diagnostics if d["rule"] == rule_id)
    )


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_passing_example_passes(rule_id: str, run_cli, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path.parent)
    materialise(RULES[rule_id].good, tmp_path)
    code, diagnostics = found(run_cli, tmp_path, RULES[rule_id].good)
    assert rule_id not in {d["rule"] for d in diagnostics}, diagnostics
    assert code == 0, diagnostics


def test_every_rule_is_documented() -> None:
    for rule in RULES.values():
        assert rule.message and rule.hint and rule.why, rule.id
        assert rule.check is None or rule.check.__doc__, f"{rule.id} needs a docstring"
        assert rule.kind != "file" or rule.check is not None, rule.id
