"""``smtpops diff`` with symbolic links in the repository: an absolute link anywhere made the
review die with AbsoluteLinkError (so the PR workflow posted no review and no IT label). Links
are now left out of the unpacked revision and listed in the review, never followed."""

from __future__ import annotations

import json
import os

import pytest

from tests.gitops.conftest import Project


@pytest.mark.parametrize("fmt", ["text", "markdown", "json"])
def test_an_absolute_link_anywhere_does_not_stop_the_review(
    project: Project, run_cli, fmt: str
) -> None:
    base = project.head()
    (project.root / "docs").mkdir()
    os.symlink("/etc/passwd", project.root / "docs" / "passwd")
    project.add_config("development", "main")
    result = run_cli("diff", base, "HEAD", "--format", fmt)
    assert result.exit_code == 0, repr(result)
    assert "main" in result.stdout and "root:" not in result.stdout


def test_a_linked_config_is_reported_not_followed(project: Project, run_cli) -> None:
    project.add_config("development", "main")
    base = project.head()
    production = project.root / "configs" / "production"
    production.mkdir(exist_ok=True)
    os.symlink("../development/main.yaml", production / "main.yaml")
    os.symlink("/etc/passwd", production / "passwd.yaml")
    project.commit("Link configs")
    for head in ("HEAD", None):  # a revision, and the working tree
        args = ["diff", base, *([head] if head else []), "--format", "json"]
        result = run_cli(*args)
        assert result.exit_code == 0, repr(result)
        review = json.loads(result.stdout)
        links = {f["path"]: f for f in review["files"]}
        assert set(links) == {"configs/production/main.yaml", "configs/production/passwd.yaml"}
        assert all(f["kind"] == "added" and f["security"] for f in links.values())
        assert "'/etc/passwd'" in links["configs/production/passwd.yaml"]["about"]
        assert "does not follow links" in links["configs/production/main.yaml"]["about"]
        assert review["security_sensitive"] is True
        assert not [c for c in review["configs"] if c["environment"] == "production"]
        assert "root:" not in result.stdout
    text = run_cli("diff", base, "HEAD", expect=0).stdout
    assert "configs/production/passwd.yaml: added (a symbolic link to '/etc/passwd'" in text
