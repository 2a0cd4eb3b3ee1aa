"""promote, rollback/unpin, deactivate and remove through the CLI."""

from __future__ import annotations

import yaml

from tests.conftest import CANARY, assert_no_canary
from tests.gitops.conftest import Project, git


def trailers(project: Project, rev: str = "HEAD") -> str:
    return git(project.root, "log", "-1", "--format=%(trailers:only,unfold)", rev)


def load(project: Project, env: str, name: str) -> dict:
    return yaml.safe_load((project.root / "configs" / env / f"{name}.yaml").read_text())


def test_promote_carries_settings_and_keeps_target_credentials(project: Project, run_cli) -> None:
    project.add_config(
        "development", "main", active=True, wait_timeout=7, description="tuned in development"
    )
    project.add_config(
        "staging",
        "main",
        password=CANARY,
        username="crm@example.test",
        wait_timeout=5,
        description="old",
    )
    staging_before = load(project, "staging", "main")
    result = run_cli("promote", "main", "--from", "development", "--to", "staging", expect=0)
    assert_no_canary(result.output)
    after = load(project, "staging", "main")
    assert after["wait_timeout"] == 7 and after["description"] == "tuned in development"
    assert after["active"] is True
    assert after["password"] == staging_before["password"]  # the target's own ciphertext
    assert after["sops"] == staging_before["sops"]
    assert "Smtpops-Action: promote" in trailers(project)
    assert "Smtpops-Source: development/main" in trailers(project)
    assert project.status() == ""


def test_promote_copy_credentials_reencrypts_for_the_target(project: Project, run_cli) -> None:
    project.add_config("development", "main", active=True)
    run_cli("promote", "main", "--from", "development", "--to", "staging", expect=1)
    result = run_cli(
        "promote",
        "main",
        "--from",
        "development",
        "--to",
        "staging",
        "--copy-credentials",
        expect=0,
    )
    assert_no_canary(result.output)
    staged = load(project, "staging", "main")
    dev = load(project, "development", "main")
    recipients = [r["recipient"] for r in staged["sops"]["age"]]
    assert recipients != [r["recipient"] for r in dev["sops"]["age"]]
    assert staged["active"] is True
    assert CANARY not in (project.root / "configs/staging/main.yaml").read_text()


def test_promote_refuses_to_skip_a_step_without_force(project: Project, run_cli) -> None:
    project.add_config("development", "main", active=True)
    result = run_cli(
        "promote",
        "main",
        "--from",
        "development",
        "--to",
        "production",
        "--copy-credentials",
        expect=2,
    )
    assert "not the next step" in result.stderr and "--force" in result.stderr
    assert project.status() == ""


def test_failed_promote_restores_everything(project: Project, run_cli) -> None:
    project.add_config("development", "main", active=True)
    project.add_config("staging", "main", password="not-the-password")
    before, head = project.snapshot(), project.head()
    result = run_cli("promote", "main", "--from", "development", "--to", "staging", expect=1)
    assert "connection test of staging/main failed" in result.stderr
    assert project.snapshot() == before and project.head() == head and project.status() == ""


def test_rollback_is_a_new_commit_and_pins_until_unpinned(project: Project, run_cli) -> None:
    project.add_config("development", "good")
    project.add_config("development", "next")
    run_cli("deploy", "development/good", expect=0)
    good_deploy = project.head()
    run_cli("deploy", "development/next", expect=0)
    history_before = git(project.root, "rev-list", "HEAD").split()
    result = run_cli("rollback", "development", expect=0)
    assert_no_canary(result.output)
    assert project.active("development") == ["good"]
    assert git(project.root, "rev-list", "HEAD").split()[1:] == history_before  # no rewrite
    t = trailers(project)
    assert (
        "Smtpops-Action: rollback" in t
        and f"Smtpops-Source: development/good {good_deploy[:12]}" in t
    )
    assert "Smtpops-Pin: pinned" in t and "Smtpops-Test: passed" in t
    # a later (automatic) deploy does not undo the rollback...
    result = run_cli("deploy", "development/next", expect=1)
    assert "pinned" in result.stderr and "smtpops unpin development" in result.stderr
    assert project.active("development") == ["good"]
    status = run_cli("status", "--env", "development", expect=0).stdout
    assert "pinned:      to development/good" in status
    # ...until someone unpins it, as a commit
    run_cli("unpin", "development", expect=0)
    assert "Smtpops-Action: unpin" in trailers(project)
    assert not (project.root / "configs" / ".pins.yaml").exists()
    run_cli("deploy", "development/next", expect=0)
    assert project.active("development") == ["next"]


def test_rollback_restores_the_file_as_it_was_deployed(project: Project, run_cli) -> None:
    path = project.add_config("development", "main")
    run_cli("deploy", "development/main", expect=0)
    deployed = path.read_bytes()
    path.write_text(path.read_text().replace("wait_timeout: 5", "wait_timeout: 9"))
    project.commit("Tune the timeout")
    run_cli("deploy", "development/main", expect=0)
    run_cli("rollback", "development", expect=0)
    assert path.read_bytes() == deployed


def test_rollback_to_a_named_revision(project: Project, run_cli) -> None:
    project.add_config("development", "a")
    project.add_config("development", "b")
    run_cli("deploy", "development/a", expect=0)
    rev = project.head()
    run_cli("deploy", "development/b", expect=0)
    run_cli("rollback", "development", "--to", rev[:10], expect=0)
    assert project.active("development") == ["a"]


def test_deactivate_needs_confirmation_and_warns(project: Project, run_cli) -> None:
    project.add_config("development", "main", active=True)
    result = run_cli("deactivate", "development", input="n\n", expect=2)
    assert "email sending from development stops" in result.stderr
    assert project.active("development") == ["main"]
    run_cli("deactivate", "development", input="y\n", expect=0)
    assert project.active("development") == []
    assert "Smtpops-Action: deactivate" in trailers(project)


def test_remove_refuses_active_and_only_configs(project: Project, run_cli) -> None:
    project.add_config("development", "main", active=True)
    result = run_cli("remove", "development/main", "--yes", expect=1)
    assert "is the active config" in result.stderr
    project.add_config("staging", "only")
    result = run_cli("remove", "staging/only", "--yes", expect=1)
    assert "only config of staging" in result.stderr
    project.add_config("development", "spare")
    run_cli("remove", "development/spare", "--yes", expect=0)
    assert not (project.root / "configs/development/spare.yaml").exists()
    assert "Smtpops-Config: development/spare" in trailers(project)
    assert project.status() == ""
