"""The CI workflows and action.yml, checked offline: GitHub's schemas (as vendored by
check-jsonschema), zizmor's security audit, and the properties we promise."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.tooling import find_tool

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
ACTION = ROOT / "action.yml"
PINNED = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")


def tool(name: str) -> str:
    return find_tool(name, hint="it is in the 'test' extra")


def load(path: Path) -> dict:
    data = yaml.safe_load(path.read_text())
    # YAML 1.1 reads the key `on:` as True
    return {("on" if k is True else k): v for k, v in data.items()}


def steps(doc: dict) -> list[dict]:
    if "runs" in doc:
        return doc["runs"]["steps"]
    return [s for job in doc["jobs"].values() for s in job["steps"]]


def test_there_are_two_workflows() -> None:
    assert {p.name for p in WORKFLOWS} == {"validate.yml", "smtpops-deploy.yml"}


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_workflow_matches_githubs_schema(path: Path) -> None:
    result = subprocess.run(
        [tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_action_matches_githubs_schema() -> None:
    result = subprocess.run(
        [tool("check-jsonschema"), "--builtin-schema", "vendor.github-actions", str(ACTION)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_zizmor_finds_nothing_even_pedantic() -> None:
    env = {**os.environ, "NO_COLOR": "1"}
    env.pop("GH_TOKEN", None)
    env.pop("GITHUB_TOKEN", None)
    result = subprocess.run(
        [
            tool("zizmor"),
            "--offline",
            "--persona",
            "pedantic",
            "--no-progress",
            *map(str, WORKFLOWS),
            str(ACTION),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No findings" in result.stdout + result.stderr


@pytest.mark.parametrize("path", [*WORKFLOWS, ACTION], ids=lambda p: p.name)
def test_every_action_is_pinned_by_full_sha(path: Path) -> None:
    for step in steps(load(path)):
        if "uses" in step:
            assert PINNED.match(step["uses"]), step["uses"]
    assert re.search(r"@[0-9a-f]{40} # v\d", path.read_text())  # the version, for people


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_least_permissions(path: Path) -> None:
    doc = load(path)
    assert doc["permissions"] == {}
    for job in doc["jobs"].values():
        granted = job["permissions"]
        assert set(granted) <= {"contents", "pull-requests", "security-events"}
        assert "write-all" not in str(granted)
    for step in steps(doc):
        if "actions/checkout" in step.get("uses", ""):
            assert step["with"]["persist-credentials"] is False


def test_pull_request_workflow() -> None:
    from smtpops.review.display import MARKER

    doc = load(ROOT / ".github/workflows/validate.yml")
    assert set(doc["on"]) == {"pull_request"}  # never pull_request_target
    text = (ROOT / ".github/workflows/validate.yml").read_text()
    validate = next(s for s in steps(doc) if s.get("id") == "validate")
    assert validate["run"] == (
        'smtpops validate --format github --output sarif:smtpops.sarif --base "$BASE_SHA"'
    )  # the merge gate: REPO006 against the pull request's base
    assert validate["env"]["BASE_SHA"] == "${{ github.event.pull_request.base.sha }}"
    assert any(s.get("run") == "smtpops secrets check" for s in steps(doc))
    assert "codeql-action/upload-sarif@" in text
    assert "--format markdown" in text and MARKER in text  # one comment, updated in place
    assert "needs-it-approval" in text and "security_sensitive" in text
    assert "SOPS_AGE_KEY" not in text and "secrets." not in text  # reviews need no key


def test_deploy_workflow() -> None:
    doc = load(ROOT / ".github/workflows/smtpops-deploy.yml")
    assert doc["on"]["push"]["branches"] == ["main"]
    inputs = doc["on"]["workflow_dispatch"]["inputs"]
    assert inputs["environment"]["options"] == ["development", "staging", "production"]
    assert doc["concurrency"]["cancel-in-progress"] is False
    job = doc["jobs"]["deploy"]
    assert job["permissions"] == {"contents": "write"}
    assert "inputs.environment" in job["environment"]  # the GitHub environment's own secret
    deploy = next(s for s in job["steps"] if s.get("name", "").startswith("Deploy"))
    assert deploy["env"]["SOPS_AGE_KEY"] == "${{ secrets.SMTPOPS_AGE_KEY }}"
    assert 'smtpops deploy "$TARGET"' in deploy["run"]
    assert any("git push" in s.get("run", "") for s in job["steps"])


def test_codeowners_gives_it_the_production_folder() -> None:
    lines = (ROOT / ".github" / "CODEOWNERS").read_text().splitlines()
    owners = dict(
        line.split(None, 1) for line in lines if line.strip() and not line.startswith("#")
    )
    assert owners["/configs/production/"].strip() == "@your-org/it-security"
    assert owners["/.sops.yaml"].strip() == "@your-org/it-security"
