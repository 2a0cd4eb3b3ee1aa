"""All or nothing: failed tests, refused commits, signals and concurrent deploys."""

from __future__ import annotations

import os
import signal

from tests.conftest import assert_no_canary
from tests.gitops.conftest import Project, finish, git, install_hook, wait_for


def test_failed_connection_test_leaves_the_repo_byte_identical(project: Project, run_cli) -> None:
    project.add_config("development", "old", active=True)
    project.add_config("development", "main", password="wrong-password")
    before, head = project.snapshot(), project.head()
    result = run_cli("deploy", "development/main", expect=1)
    assert_no_canary(result.output)
    assert "connection test of development/main failed" in result.stderr
    assert "Authentication failed" in result.stderr and "nothing was changed" in result.stderr
    assert "✗ Authentication" in result.stdout  # the checklist, up to the failed step
    assert project.snapshot() == before
    assert project.status() == "" and project.head() == head
    assert project.active("development") == ["old"]


def test_validation_errors_stop_the_deploy(project: Project, run_cli) -> None:
    project.add_config("development", "main", port=70000)
    before = project.snapshot()
    result = run_cli("deploy", "development/main", expect=1)
    assert "validation error" in result.stderr and "port" in result.stderr
    assert project.snapshot() == before and project.status() == ""


def test_dirty_or_uncommitted_files_are_refused(project: Project, run_cli) -> None:
    path = project.add_config("development", "main")
    path.write_text(path.read_text().replace("wait_timeout: 5", "wait_timeout: 6"))
    result = run_cli("deploy", "development/main", expect=1)
    assert "not committed" in result.stderr and "configs/development/main.yaml" in result.stderr
    project.add_config("development", "new", commit=False)
    result = run_cli("deploy", "configs/development/new.yaml", expect=1)
    assert "not committed to git yet" in result.stderr


def test_a_refused_commit_restores_files_and_index(project: Project, run_cli) -> None:
    project.add_config("development", "old", active=True)
    project.add_config("development", "main")
    install_hook(project)
    (project.root / ".git" / "reject").touch()
    before, head = project.snapshot(), project.head()
    result = run_cli("deploy", "development/main", expect=1)
    assert "git refused the commit" in result.stderr
    assert "pre-commit policy" in result.stderr
    assert project.snapshot() == before
    assert project.status() == "" and project.head() == head


def test_dry_run_tests_but_writes_nothing(project: Project, run_cli) -> None:
    project.add_config("development", "main")
    before, head = project.snapshot(), project.head()
    result = run_cli("deploy", "development/main", "--dry-run", expect=0)
    assert "Dry run" in result.stdout and "Smtpops-Action: deploy" in result.stdout
    assert "Connection test passed" in result.stdout
    assert project.snapshot() == before and project.head() == head


def test_sigterm_mid_deploy_leaves_the_old_state(project: Project) -> None:
    project.add_config("development", "old", active=True)
    project.add_config("development", "main")
    install_hook(project)
    (project.root / ".git" / "hold").touch()
    before, head = project.snapshot(), project.head()
    proc = project.smtpops("deploy", "development/main", start_new_session=True)
    wait_for(project.root / ".git" / "held", proc)  # files written, commit under way
    os.kill(proc.pid, signal.SIGTERM)
    code, out, err = finish(proc)
    assert code == 130, (out, err)
    assert "SIGTERM" in err
    assert_no_canary(out, err)
    assert project.head() == head
    assert project.snapshot() == before
    assert project.status() == ""
    assert not (project.root / ".git" / "index.lock").exists()


def test_sigkill_mid_deploy_is_undone_by_the_next_run(project: Project, run_cli) -> None:
    project.add_config("development", "old", active=True)
    project.add_config("development", "main")
    install_hook(project)
    (project.root / ".git" / "hold").touch()
    before, head = project.snapshot(), project.head()
    proc = project.smtpops("deploy", "development/main", start_new_session=True)
    wait_for(project.root / ".git" / "held", proc)
    os.killpg(proc.pid, signal.SIGKILL)  # smtpops, git and the hook, with no chance to clean up
    finish(proc)
    assert project.head() == head  # the commit never happened...
    result = run_cli("status", "--env", "development", expect=0)  # ...and the next run undoes it
    assert "interrupted change to development" in result.stdout
    assert project.snapshot() == before
    assert project.status() == ""
    (project.root / ".git" / "hold").unlink()
    run_cli("deploy", "development/main", expect=0)
    assert project.active("development") == ["main"]


def test_two_deploys_to_one_environment_do_not_interleave(project: Project, run_cli) -> None:
    project.add_config("development", "old", active=True)
    project.add_config("development", "main")
    project.add_config("staging", "main")
    install_hook(project)
    (project.root / ".git" / "hold").touch()
    first = project.smtpops("deploy", "development/main", start_new_session=True)
    wait_for(project.root / ".git" / "held", first)
    status = run_cli("status", "--env", "development", "--format", "json", expect=0)
    assert '"reason": "deploy development/main"' in status.stdout
    second = project.smtpops("deploy", "development/old")
    code, out, err = finish(second)
    assert code == 1, (out, err)
    assert "development is locked" in err and "deploy development/main" in err
    assert "--wait" in err
    (project.root / ".git" / "hold").unlink()
    # another environment is not refused: its test runs now, its commit queues behind
    # the commit in progress (git has one index)
    third = project.smtpops("deploy", "staging/main")
    os.killpg(first.pid, signal.SIGTERM)  # the first deploy is stopped mid-commit: undone
    code, out, err = finish(first)
    assert code == 130, (out, err)
    code, out, err = finish(third)
    assert code == 0, (out, err)
    log = git(project.root, "log", "--format=%(trailers:key=Smtpops-Config,valueonly)")
    assert log.split() == ["staging/main"]
    assert project.active("development") == ["old"]
    assert project.active("staging") == ["main"]
    assert project.status() == ""


def test_a_queued_deploy_waits_for_the_lock(project: Project) -> None:
    project.add_config("development", "old", active=True)
    project.add_config("development", "main")
    project.add_config("development", "other")
    install_hook(project)
    hold = project.root / ".git" / "hold"
    hold.write_text("")
    first = project.smtpops("deploy", "development/main", start_new_session=True)
    wait_for(project.root / ".git" / "held", first)
    second = project.smtpops("deploy", "development/other", "--wait", "30")
    hold.unlink()
    os.killpg(first.pid, signal.SIGTERM)  # the first one gives up...
    assert finish(first)[0] == 130
    code, out, err = finish(second)  # ...and the queued one then takes the lock and deploys
    assert code == 0, (out, err)
    assert project.active("development") == ["other"]
