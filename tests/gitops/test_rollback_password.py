"""Rollback restores a file as it was deployed, password included. When the server's password
has changed since, the failed test says which revision's password it tried, and why."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from smtpops.encryption import set_password
from smtpops.probe.sandbox import Sandbox
from smtpops.secret import Secret
from tests.conftest import CANARY, assert_no_canary
from tests.gitops.conftest import USER, Project, git

OLD = "Old-Pw-4e1d0c!before"


@pytest.fixture
def box() -> Iterator[Sandbox]:
    """A server of this test's own, whose password the test changes."""
    with Sandbox(username=USER, password=OLD) as server:
        yield server


def test_rollback_names_the_revision_whose_password_was_refused(
    project: Project, run_cli, box: Sandbox
) -> None:
    (project.root / "own-ca.pem").write_bytes(Path(box.ca_file).read_bytes())
    path = project.add_config(
        "development", "main", password=OLD, port=box.starttls_port, ca_file="own-ca.pem"
    )
    run_cli("deploy", "development/main", expect=0)
    old_deploy = project.head()
    box.password = CANARY  # the mailbox's password is changed at the provider...
    set_password(str(path), Secret(CANARY))  # ...and in the repository
    change = project.commit("Use the new mailbox password")
    run_cli("deploy", "development/main", expect=0)
    before, head = project.snapshot(), project.head()

    result = run_cli("rollback", "development", expect=1)
    assert_no_canary(result.output)
    assert OLD not in result.output
    error = " ".join(result.stderr.split())
    assert f"development/main as restored from commit {old_deploy[:12]}" in error
    assert "the server refused the password stored in that commit" in error
    assert f"changed after it, in commit {change[:12]} (Use the new mailbox password)" in error
    assert "smtpops rollback development --to" in error
    assert f"smtpops secrets set-password {path.relative_to(project.root)}" in error
    assert project.snapshot() == before and project.head() == head  # nothing changed

    data = json.loads(run_cli("rollback", "development", "--format", "json", expect=1).stdout)
    assert data["test"]["failure"]["error"] == "auth.failed"
    assert old_deploy[:12] in data["error"]
    assert git(project.root, "status", "--porcelain") == ""
