"""Fixtures for the delivery tests: the gitops project (a real git repository, real age keys
and sops, smtpops' sandbox on loopback with the canary password) with one deployed config."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.gitops.conftest import Project, project, smtp_server  # noqa: F401  (fixtures)

HEADERS = "X-Company: Example Utility\nX-Department: Customer Service\n"


def headers_field(text: str = HEADERS) -> str:
    """custom_headers as a YAML block scalar for Project.config_text."""
    return "|\n" + "".join(f"  {line}\n" for line in text.splitlines()).rstrip("\n")


@pytest.fixture
def deployed(project: Project, run_cli) -> Project:  # type: ignore[no-untyped-def]  # noqa: F811
    """development/main active (deployed through the CLI after a real connection test)."""
    project.add_config(
        "development",
        "main",
        max_connections=4,
        retries=2,
        idle_timeout=20,
        wait_timeout=7,
        custom_headers=headers_field(),
    )
    run_cli("deploy", "development/main", expect=0)
    return project


@pytest.fixture
def outside(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder outside the repository, for plaintext outputs."""
    return tmp_path_factory.mktemp("crm-host")
