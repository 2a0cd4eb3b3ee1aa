"""`smtpops diff` and `validate --base` from a base that has no configs: the repository's
first, empty commit (git archive writes no member for it, which tarfile refused: an internal
error, ReadError, and the PR workflow posted no review) or a commit without configs/. The
review shows every file of the head as added."""

from __future__ import annotations

import json
import subprocess

from tests.conftest import assert_no_canary
from tests.gitops.conftest import Project, git


def _empty_commit(project: Project) -> str:
    tree = git(project.root, "hash-object", "-t", "tree", "/dev/null").strip()
    return git(project.root, "commit-tree", tree, "-m", "An empty first commit").strip()


def _without_configs(project: Project) -> str:
    blob = git(project.root, "hash-object", "-w", "README.md").strip()
    tree = subprocess.run(
        ["git", "mktree"],
        input=f"100644 blob {blob}\tREADME.md\n",
        cwd=project.root,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    return git(project.root, "commit-tree", tree, "-m", "Only a README").strip()


def test_diff_from_an_empty_first_commit_shows_everything_as_added(
    project: Project, run_cli
) -> None:
    project.add_config("development", "main")
    base = _empty_commit(project)
    result = run_cli("diff", base, "HEAD")
    assert result.exit_code in (0, 1), repr(result)
    assert "internal error" not in result.output
    assert "development:\n  main: added" in result.stdout
    assert (
        "configs/environments.yaml: added" in result.stdout and ".sops.yaml: added" in result.stdout
    )
    data = json.loads(run_cli("diff", base, "HEAD", "--format", "json").stdout)
    added = {c["path"]: c["kind"] for c in data["configs"]}
    assert added == {"configs/development/main.yaml": "added"}, data["configs"]
    fields = {f["field"]: f for f in data["configs"][0]["fields"]}
    assert fields["host"]["old"] is None and fields["host"]["new"] == "127.0.0.1"
    markdown = run_cli("diff", base, "--format", "markdown")  # against the working tree
    assert markdown.exit_code in (0, 1) and "main.yaml" in markdown.stdout, repr(markdown)
    assert_no_canary(result.output, markdown.output)


def test_diff_from_a_base_without_configs(project: Project, run_cli) -> None:
    (project.root / "README.md").write_text("# smtp settings\n")
    project.add_config("development", "main")
    base = _without_configs(project)
    result = run_cli("diff", base, "HEAD")
    assert result.exit_code in (0, 1), repr(result)
    assert "development:\n  main: added" in result.stdout


def test_validate_base_on_an_empty_first_commit(project: Project, run_cli) -> None:
    project.add_config("development", "main")
    result = run_cli("validate", "--base", _empty_commit(project), "--format", "json")
    assert result.exit_code in (0, 1), repr(result)
    json.loads(result.stdout)
