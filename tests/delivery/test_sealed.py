"""Render, exec and apply send the password on only to the server it was sealed for: a
server field changed in the active config without a re-seal is refused, before anything
is written or run."""

from __future__ import annotations

import sys

import pytest

from tests.conftest import CANARY, assert_no_canary
from tests.delivery.conftest import Project

MAIN = "configs/development/main.yaml"


def _move_server(project: Project) -> None:
    path = project.root / MAIN
    path.write_text(path.read_text().replace("host: 127.0.0.1", "host: 127.0.0.9"))
    project.commit("point the active config elsewhere, by hand")


@pytest.mark.parametrize(
    "args",
    [
        ("render", "development", "--format", "json"),
        ("render", "development", "--format", "env"),
        ("render", "development", "--rev", "HEAD", "--format", "json"),
        ("exec", "development", "--", sys.executable, "-c", "print('ran')"),
    ],
)
def test_a_server_change_without_a_reseal_is_not_delivered(
    deployed: Project, run_cli, args: tuple[str, ...]
) -> None:
    _move_server(deployed)
    result = run_cli(*args)
    assert result.exit_code == 1, repr(result)
    assert "the server (host)" in result.stderr
    assert "smtpops secrets reseal development/main" in result.stderr
    assert "ran" not in result.stdout
    assert_no_canary(result.stdout, result.stderr)


def test_after_a_reseal_it_is_delivered(deployed: Project, run_cli) -> None:
    _move_server(deployed)
    run_cli("secrets", "reseal", "development/main", "--yes", expect=0)
    deployed.commit("re-seal for the new server")
    result = run_cli("render", "development", "--format", "json", expect=0)
    assert CANARY in result.stdout  # the json format carries the password, by design
