"""deploy, promote and rollback where production has the strict policy, as it does by default:
real git, real sops, the real connection test. Loopback is the only server tests may reach, so
one project keeps production exactly ``strict`` (and shows that it refuses a loopback server)
and one keeps every strict flag but allows private hosts, to run changes to the end."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.conftest import CANARY, assert_no_canary
from tests.gitops.conftest import ENVIRONMENTS_YAML, Project, git

RELAXED_PRODUCTION = "  - name: production\n    policy: relaxed\n"
STRICT = ENVIRONMENTS_YAML.replace(RELAXED_PRODUCTION, "  - name: production\n    policy: strict\n")

# every flag of the strict policy but allow_private_hosts: the test server is on loopback
STRICT_ON_LOOPBACK = ENVIRONMENTS_YAML.replace(
    RELAXED_PRODUCTION,
    "  - name: production\n    policy:\n      allow_private_hosts: true\n"
    "      require_tls: true\n      require_certificate_verification: true\n"
    "      require_public_helo: true\n      protected: true\n",
)


def _settings(project: Project, text: str) -> Project:
    (project.root / "configs" / "environments.yaml").write_text(text)
    project.commit("Production policy")
    return project


@pytest.fixture
def strict(project: Project) -> Project:
    return _settings(project, STRICT)


@pytest.fixture
def strict_on_loopback(project: Project) -> Project:
    return _settings(project, STRICT_ON_LOOPBACK)


def trailers(project: Project) -> str:
    return git(project.root, "log", "-1", "--format=%(trailers:only,unfold)")


def unchanged(project: Project, run_cli, *args: str) -> str:
    """Run a change that must be refused; check that nothing changed; return stderr."""
    before, head = project.snapshot(), project.head()
    result = run_cli(*args, expect=1)
    assert_no_canary(result.output)
    assert project.snapshot() == before and project.head() == head and project.status() == ""
    return " ".join(result.stderr.split())


# -- exactly the strict policy -------------------------------------------------------------


def test_strict_production_refuses_a_loopback_server(strict: Project, run_cli) -> None:
    strict.add_config("production", "main")
    error = unchanged(strict, run_cli, "deploy", "production/main")
    assert "validation error" in error and "HOST004" in error


def test_a_suppression_cannot_silence_a_security_error_in_production(
    strict: Project, run_cli
) -> None:
    path = strict.add_config("production", "main", commit=False)
    text = path.read_text().replace(
        "host: 127.0.0.1", "host: 127.0.0.1  # smtpops: ignore[HOST004] our relay"
    )
    path.write_text(text)
    strict.commit("Add production/main")
    error = unchanged(strict, run_cli, "deploy", "production/main")
    assert "HOST004" in error


def test_promote_into_strict_production_checks_the_target_rules(strict: Project, run_cli) -> None:
    strict.add_config("staging", "main", active=True)
    strict.add_config("production", "main")
    error = unchanged(strict, run_cli, "promote", "main", "--from", "staging", "--to", "production")
    assert "HOST004" in error


def test_status_marks_strict_production_protected(strict: Project, run_cli) -> None:
    assert "production (protected)" in run_cli("status", expect=0).stdout


# -- every strict flag, private hosts allowed --------------------------------------------------


def test_deploy_under_the_strict_flags_passes_with_verified_tls(
    strict_on_loopback: Project, run_cli
) -> None:
    project = strict_on_loopback
    project.add_config("production", "main")
    result = run_cli("deploy", "production/main", expect=0)
    assert_no_canary(result.output)
    assert project.active("production") == ["main"]
    t = trailers(project)
    assert "Smtpops-Environment: production" in t
    assert f"Smtpops-Test: passed 127.0.0.1:{project.server.port} tls=TLSv1." in t
    assert CANARY not in git(project.root, "log", "-p", "--all")


@pytest.mark.parametrize(
    ("fields", "rule"),
    [
        ({"verify_certificate": False}, "TLS004"),
        ({"tls": "None", "ca_file": None}, "AUTH003"),
    ],
)
def test_deploy_refuses_what_the_strict_flags_forbid(
    strict_on_loopback: Project, run_cli, fields: dict, rule: str
) -> None:
    project = strict_on_loopback
    project.add_config("production", "main", **fields)
    error = unchanged(project, run_cli, "deploy", "production/main")
    assert rule in error and project.active("production") == []


def test_a_failed_connection_test_in_strict_production_changes_nothing(
    strict_on_loopback: Project, run_cli
) -> None:
    project = strict_on_loopback
    project.add_config("production", "main", password="Wrong-Pw-9")
    error = unchanged(project, run_cli, "deploy", "production/main")
    assert "connection test of production/main failed" in error
    assert "Wrong-Pw-9" not in error


def test_promote_to_strict_production_then_roll_back(strict_on_loopback: Project, run_cli) -> None:
    project = strict_on_loopback
    project.add_config("staging", "main", active=True, wait_timeout=7)
    project.add_config("production", "main")
    project.add_config("production", "spare")
    run_cli("deploy", "production/spare", expect=0)
    spare_deploy = project.head()
    result = run_cli("promote", "main", "--from", "staging", "--to", "production", expect=0)
    assert_no_canary(result.output)
    assert project.active("production") == ["main"]
    promoted = yaml.safe_load((project.root / "configs/production/main.yaml").read_text())
    assert promoted["wait_timeout"] == 7
    assert "Smtpops-Action: promote" in trailers(project) and "Smtpops-Test: passed" in trailers(
        project
    )
    result = run_cli("rollback", "production", expect=0)
    assert_no_canary(result.output)
    assert project.active("production") == ["spare"]
    t = trailers(project)
    assert f"Smtpops-Source: production/spare {spare_deploy[:12]}" in t
    assert "Smtpops-Pin: pinned" in t and "Smtpops-Test: passed" in t
    refused = unchanged(project, run_cli, "deploy", "production/main")
    assert "pinned" in refused


def test_the_strict_flags_are_what_strict_means(tmp_path: Path) -> None:
    """The first project's production is exactly ``strict`` (the default); the second differs
    from it only in allow_private_hosts."""
    import dataclasses

    from smtpops import settings

    folder = tmp_path / "configs"
    folder.mkdir()
    for text, policy in (
        (STRICT, settings.STRICT),
        (STRICT_ON_LOOPBACK, dataclasses.replace(settings.STRICT, allow_private_hosts=True)),
    ):
        (folder / "environments.yaml").write_text(text)
        loaded = settings.load(str(folder)).environment("production")
        assert loaded is not None and loaded.policy == policy
    default = settings.DEFAULT.environment("production")
    assert default is not None and default.policy == settings.STRICT
