"""deploy through the CLI: real git, real sops, a real SMTP server on loopback."""

from __future__ import annotations

from tests.conftest import CANARY, assert_no_canary
from tests.gitops.conftest import AUTHOR, Project, git


def test_deploy_switches_the_active_config_in_one_commit(project: Project, run_cli) -> None:
    project.add_config("development", "old", active=True)
    project.add_config("development", "main")
    before = project.head()
    result = run_cli("deploy", "development/main", expect=0)
    assert_no_canary(result.output)
    assert project.active("development") == ["main"]
    assert git(project.root, "rev-parse", "HEAD~1").strip() == before
    assert project.status() == ""
    changed = git(project.root, "show", "--name-only", "--format=", "HEAD").split()
    assert sorted(changed) == ["configs/development/main.yaml", "configs/development/old.yaml"]
    message = git(project.root, "log", "-1", "--format=%B")
    assert_no_canary(message)
    trailers = git(project.root, "log", "-1", "--format=%(trailers:only,unfold)")
    assert "Smtpops-Action: deploy" in trailers
    assert "Smtpops-Environment: development" in trailers
    assert "Smtpops-Config: development/main" in trailers
    assert "Smtpops-Previous: development/old" in trailers
    assert f"Smtpops-Test: passed 127.0.0.1:{project.server.port}" in trailers
    assert f"Smtpops-Actor: {AUTHOR[0]} <{AUTHOR[1]}>" in trailers
    assert "Smtpops-Version: " in trailers
    assert git(project.root, "log", "-1", "--format=%an").strip() == AUTHOR[0]
    assert "Deployed development/main" in result.stdout
    assert CANARY not in git(project.root, "log", "-p", "--all")


def test_status_shows_active_config_last_deploy_and_test(project: Project, run_cli) -> None:
    import json

    project.add_config("development", "main")
    run_cli("deploy", "development/main", expect=0)
    result = run_cli("status", "--format", "json", expect=0)
    assert_no_canary(result.output)
    data = {item["environment"]: item for item in json.loads(result.stdout)}
    dev = data["development"]
    assert dev["active"] == ["development/main"]
    assert dev["endpoint"] == f"127.0.0.1:{project.server.port} STARTTLS"
    assert dev["last_change"]["action"] == "deploy"
    assert dev["last_change"]["commit"] == project.head()
    assert dev["last_change"]["who"] == f"{AUTHOR[0]} <{AUTHOR[1]}>"
    assert dev["last_test"]["test"].startswith("passed 127.0.0.1:")
    assert dev["pinned"] is None and dev["lock"] is None
    assert data["production"]["active"] == []
    assert data["production"]["warnings"]
    text = run_cli("status", expect=0).stdout
    assert "development: active development/main" in text
    assert "no config is active" in text
