"""The merge gate in a pull-request-like repository: a base commit, then the branch's
commits. ``validate --base`` fails a hand-made activation or change of an active config
(REPO006) in every environment, and passes the same change made by ``smtpops deploy``;
``smtpops diff`` flags it too. Real git, real sops, a real SMTP server on loopback."""

from __future__ import annotations

import json

import pytest

from tests.conftest import assert_no_canary
from tests.gitops.conftest import Project, git

# production's strict policy, except private hosts: the test server listens on loopback
STRICT_PRODUCTION = """\
environments:
  - name: development
    policy: relaxed
  - name: staging
    policy: relaxed
  - name: production
    policy:
      allow_private_hosts: true
      require_tls: true
      require_certificate_verification: true
      require_public_helo: true
      protected: true
"""

ENVS = pytest.mark.parametrize("env", ["development", "production"])


@pytest.fixture
def pr(project: Project) -> Project:
    (project.root / "configs" / "environments.yaml").write_text(STRICT_PRODUCTION)
    project.commit("production is strict")
    return project


def gate(run_cli, base: str, *paths: str) -> tuple[int, list[dict]]:
    result = run_cli("validate", *paths, "--base", base, "--format", "json")
    assert result.exit_code in (0, 1), repr(result)
    assert_no_canary(result.output)
    return result.exit_code, [d for d in json.loads(result.stdout)["diagnostics"]]


def repo006(found: list[dict]) -> list[dict]:
    return [d for d in found if d["rule"] == "REPO006"]


def edit(path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


@ENVS
def test_a_hand_made_activation_fails_the_gate(pr: Project, run_cli, env: str) -> None:
    path = pr.add_config(env, "main")
    base = pr.head()
    edit(path, "active: false", "active: true")
    pr.commit("switch it on")
    code, found = gate(run_cli, base)
    assert code == 1
    (hit,) = repo006(found)
    assert hit["severity"] == "error" and hit["path"] == f"configs/{env}/main.yaml"
    assert "switched on by hand" in hit["message"]
    assert f"smtpops deploy {env}/main" in hit["hint"]
    # without --base nothing compares, and the file alone is valid
    assert run_cli("validate", "--format", "json").exit_code == 0


@ENVS
def test_the_same_activation_by_deploy_passes(pr: Project, run_cli, env: str) -> None:
    pr.add_config(env, "main")
    base = pr.head()
    run_cli("deploy", f"{env}/main", expect=0)
    assert pr.active(env) == ["main"]
    code, found = gate(run_cli, base)
    assert repo006(found) == [] and code == 0, found


@ENVS
def test_a_hand_edit_of_the_active_config_fails_until_deployed(
    pr: Project, run_cli, env: str
) -> None:
    path = pr.add_config(env, "main")
    run_cli("deploy", f"{env}/main", expect=0)
    base = pr.head()
    edit(path, "wait_timeout: 5", "wait_timeout: 9")
    code, found = gate(run_cli, base)  # uncommitted
    assert code == 1 and "active configuration and was changed" in repo006(found)[0]["message"]
    pr.commit("longer timeout")
    code, found = gate(run_cli, base)  # committed by hand
    assert code == 1 and len(repo006(found)) == 1
    result = run_cli("deploy", f"{env}/main", expect=0)  # re-tests and records it
    assert "Deployed" in result.stdout
    trailers = git(pr.root, "log", "-1", "--format=%(trailers:only,unfold)")
    assert f"Smtpops-Config: {env}/main" in trailers and "Smtpops-Test: passed" in trailers
    code, found = gate(run_cli, base)
    assert repo006(found) == [] and code == 0, found
    # a deploy of an unchanged active config still changes nothing
    before = pr.head()
    assert "Nothing to change" in run_cli("deploy", f"{env}/main", expect=0).stdout
    assert pr.head() == before


def test_an_edit_after_the_deploy_fails_the_gate(pr: Project, run_cli) -> None:
    path = pr.add_config("production", "main")
    base = pr.head()
    run_cli("deploy", "production/main", expect=0)
    edit(path, "wait_timeout: 5", "wait_timeout: 7")
    pr.commit("a sneaky change after the deploy")
    code, found = gate(run_cli, base)
    assert code == 1 and len(repo006(found)) == 1


def test_trailers_alone_do_not_pass_a_hand_edit(pr: Project, run_cli) -> None:
    """A commit that claims to be a deploy but carries no passed test is not one."""
    path = pr.add_config("production", "main")
    base = pr.head()
    edit(path, "active: false", "active: true")
    git(pr.root, "add", "-A")
    message = "Deploy\n\nSmtpops-Action: deploy\nSmtpops-Environment: production\nSmtpops-Config: production/main\n"
    git(pr.root, "commit", "-q", "-m", message)
    code, found = gate(run_cli, base)
    assert code == 1 and len(repo006(found)) == 1


def test_switching_over_by_deploy_passes_and_by_hand_fails(pr: Project, run_cli) -> None:
    old = pr.add_config("production", "old")
    run_cli("deploy", "production/old", expect=0)
    new = pr.add_config("production", "new")
    base = pr.head()
    run_cli("deploy", "production/new", expect=0)  # switches old off in the same commit
    code, found = gate(run_cli, base)
    assert repo006(found) == [] and code == 0, found
    git(pr.root, "reset", "-q", "--hard", base)
    edit(old, "active: true", "active: false")
    edit(new, "active: false", "active: true")
    pr.commit("switch over by hand")
    code, found = gate(run_cli, base)
    kinds = sorted(d["message"].split(" was ")[-1] for d in repo006(found))
    assert code == 1 and len(kinds) == 2, found
    assert any("switched off by hand" in d["message"] for d in repo006(found))


def test_changing_an_inactive_config_is_not_a_gate_matter(pr: Project, run_cli) -> None:
    path = pr.add_config("production", "spare")
    base = pr.head()
    edit(path, "wait_timeout: 5", "wait_timeout: 9")
    pr.commit("tune the spare")
    code, found = gate(run_cli, base)
    assert repo006(found) == [] and code == 0, found


def test_the_gate_cannot_be_silenced_in_production(pr: Project, run_cli) -> None:
    path = pr.add_config("production", "main")
    base = pr.head()
    edit(path, "active: false", "active: true  # smtpops: ignore[REPO006] trust me")
    pr.commit("switch it on")
    code, found = gate(run_cli, base, "--ignore", "REPO006")
    assert code == 1 and len(repo006(found)) == 1


def test_validating_one_file_applies_the_gate(pr: Project, run_cli) -> None:
    path = pr.add_config("production", "main")
    pr.add_config("production", "other")
    base = pr.head()
    edit(path, "active: false", "active: true")
    code, found = gate(run_cli, base, "configs/production/main.yaml")
    assert code == 1 and len(repo006(found)) == 1
    code, found = gate(run_cli, base, "configs/production/other.yaml")
    assert code == 0 and repo006(found) == []


def test_a_bad_base_is_a_usage_error(pr: Project, run_cli) -> None:
    result = run_cli("validate", "--base", "no-such-branch")
    assert result.exit_code == 2 and "no-such-branch" in result.stderr


def test_diff_flags_a_hand_made_activation(pr: Project, run_cli) -> None:
    path = pr.add_config("development", "main")
    base = pr.head()
    edit(path, "active: false", "active: true")
    pr.commit("switch it on")
    data = json.loads(run_cli("diff", base, "HEAD", "--format", "json", expect=0).stdout)
    assert data["security_sensitive"] is True
    (change,) = data["configs"]
    assert change["untested_activation"] is True
    markdown = run_cli("diff", base, "HEAD", "--format", "markdown", expect=0).stdout
    assert "REPO006" in markdown and "smtpops deploy development/main" in markdown
    git(pr.root, "reset", "-q", "--hard", base)
    run_cli("deploy", "development/main", expect=0)
    data = json.loads(run_cli("diff", base, "HEAD", "--format", "json", expect=0).stdout)
    assert data["configs"][0]["untested_activation"] is False
    assert data["security_sensitive"] is False


def test_deleting_the_active_config_by_hand_fails_the_gate(pr: Project, run_cli) -> None:
    path = pr.add_config("production", "main")
    pr.add_config("production", "spare")
    run_cli("deploy", "production/main", expect=0)
    base = pr.head()
    path.unlink()
    pr.commit("drop it")
    code, found = gate(run_cli, base, "--ignore", "REPO006")
    (hit,) = repo006(found)
    assert code == 1 and hit["path"] == "configs/production/main.yaml"
    assert "deleted by hand" in hit["message"] and "smtpops deactivate production" in hit["hint"]
    data = json.loads(run_cli("diff", base, "HEAD", "--format", "json", expect=0).stdout)
    assert data["configs"][0]["untested"] == "removed"
    git(pr.root, "reset", "-q", "--hard", base)
    run_cli("deactivate", "production", "--yes", expect=0)
    run_cli("remove", "production/main", "--yes", expect=0)
    code, found = gate(run_cli, base)
    assert repo006(found) == [] and code == 0, found
