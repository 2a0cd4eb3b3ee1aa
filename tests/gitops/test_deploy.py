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


def test_the_actor_is_the_ci_user_in_ci(project: Project, run_cli, monkeypatch) -> None:
    project.add_config("development", "main")
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_ACTOR", "octo-admin")
    run_cli("deploy", "development/main", expect=0)
    trailers = git(project.root, "log", "-1", "--format=%(trailers:only,unfold)")
    assert "Smtpops-Actor: octo-admin (CI)" in trailers
    assert git(project.root, "log", "-1", "--format=%an").strip() == AUTHOR[0]


def test_a_lock_left_by_a_dead_process_does_not_block(project: Project, run_cli) -> None:
    import json

    project.add_config("development", "main")
    lock = project.root / ".smtpops" / "locks" / "development.lock"
    lock.parent.mkdir(parents=True)
    lock.write_text(
        json.dumps(
            {
                "environment": "development",
                "holder": "Gone Person",
                "reason": "deploy x",
                "pid": 999999,
                "host": "elsewhere",
                "started": "2020-01-01T00:00:00+00:00",
                "expires": "2020-01-01T00:10:00+00:00",
            }
        )
    )
    assert "lock:        free" in run_cli("status", "--env", "development", expect=0).stdout
    run_cli("deploy", "development/main", expect=0)


def test_redeploying_the_active_config_changes_nothing(project: Project, run_cli) -> None:
    project.add_config("development", "main", active=True)  # switched on by hand, untested
    head = project.head()
    result = run_cli("deploy", "development/main", expect=0)  # records its first test
    assert "Deployed development/main" in result.stdout
    assert git(project.root, "rev-parse", "HEAD~1").strip() == head
    assert git(project.root, "show", "--name-only", "--format=", "HEAD").strip() == ""
    head = project.head()
    result = run_cli("deploy", "development/main", expect=0)
    assert "Nothing to change" in result.stdout and "Connection test passed" in result.stdout
    assert project.head() == head and project.status() == ""


def test_no_command_leaks_the_password(project: Project, run_cli) -> None:
    project.add_config("development", "main")
    project.add_config("development", "spare")
    project.add_config("staging", "main")
    base = project.head()
    seen = []
    for fmt in ("text", "json"):
        seen.append(run_cli("deploy", "development/main", "--dry-run", "--format", fmt))
        seen.append(run_cli("deploy", "development/main", "--format", fmt))
        seen.append(run_cli("status", "--format", fmt))
        seen.append(run_cli("history", "--format", fmt))
    seen.append(run_cli("deploy", "development/spare", "--format", "json", expect=0))
    seen.append(run_cli("rollback", "development", "--format", "json", expect=0))
    seen.append(run_cli("unpin", "development", expect=0))
    seen.append(
        run_cli(
            "promote",
            "main",
            "--from",
            "development",
            "--to",
            "staging",
            "--format",
            "json",
            expect=0,
        )
    )
    seen.append(run_cli("deactivate", "staging", "--yes", expect=0))
    seen.append(run_cli("remove", "development/spare", "--yes", expect=0))
    for fmt in ("text", "markdown", "json"):
        seen.append(run_cli("diff", base, "HEAD", "--format", fmt, expect=0))
    for result in seen:
        assert_no_canary(result.output)
    assert CANARY not in git(project.root, "log", "-p", "--all", "--format=%B")
    for path in (project.root / ".smtpops").rglob("*"):
        if path.is_file():
            assert CANARY not in path.read_text(errors="replace"), path
