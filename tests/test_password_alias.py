"""A YAML alias (or a copy) of a plain-text password in another field is never echoed:
not by validate in any format, not by `smtpops test`, not by `smtpops diff`."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from smtpops.rules.examples import BASE
from tests.conftest import CANARY, assert_no_canary

# the rule docs' valid base, its encrypted password replaced by a plain one with an anchor
ALIASED = BASE.split("password:")[0].replace("name: example", "name: x") + (
    f"password: &pw {CANARY}\n"
    "pasword: *pw\ndescription: *pw\nfrom_address: *pw\nmax_connections: *pw\n"
    f"idle_timeout: *pw\ncustom_headers: *pw\nx_other: [*pw]\nx_copy: {CANARY}\n"
)


def _git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=A", "-c", "user.email=a@example.test", *args],
        cwd=root,
        check=True,
        capture_output=True,
    )


@pytest.fixture
def aliased(repo_dir: Path) -> Path:
    path = repo_dir / "configs" / "development" / "x.yaml"
    path.parent.mkdir(parents=True)
    path.write_text(ALIASED)
    return path


@pytest.mark.parametrize("fmt", ["text", "json", "github", "sarif", "junit"])
def test_validate_never_echoes_an_alias_of_the_password(run_cli, aliased, fmt: str) -> None:
    result = run_cli("validate", "--format", fmt)
    assert result.exit_code == 1, repr(result)
    assert_no_canary(result.stdout, result.stderr)
    assert "CRED002" in result.stdout


def test_test_command_never_echoes_it(run_cli, aliased) -> None:
    result = run_cli("test", "development/x", "--password-stdin", input="other\n")
    assert result.exit_code == 1 and "validation errors" in result.stderr, repr(result)
    assert_no_canary(result.stdout, result.stderr)


@pytest.mark.parametrize("fmt", ["text", "markdown", "json"])
def test_diff_never_echoes_it(run_cli, repo_dir: Path, fmt: str) -> None:
    _git(repo_dir, "init", "-q")
    (repo_dir / "README").write_text("x\n")
    _git(repo_dir, "add", "-A")
    _git(repo_dir, "commit", "-qm", "init")
    path = repo_dir / "configs" / "development" / "x.yaml"
    path.parent.mkdir(parents=True)
    path.write_text(ALIASED)
    _git(repo_dir, "add", "-A")
    _git(repo_dir, "commit", "-qm", "add")
    result = run_cli("diff", "HEAD~1", "HEAD", "--format", fmt)
    assert result.exit_code == 0, repr(result)
    assert_no_canary(result.stdout, result.stderr)
    assert "x_other" in result.stdout and "description" in result.stdout
