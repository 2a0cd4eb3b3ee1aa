"""What the fuzz suite found, kept as plain tests: each of these ended in an internal error."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("option", ["--info-file", "--write-config"])
def test_sandbox_output_file_in_a_missing_folder(run_cli, repo_dir, option: str) -> None:
    result = run_cli(
        "sandbox", option, "missing/folder/x.json", "--duration", "0.05",
        "--port", "0", "--tls-port", "0",
    )  # fmt: skip
    assert result.exit_code == 2, repr(result)
    assert "missing/folder/x.json" in result.stderr and "internal error" not in result.stderr


@pytest.mark.parametrize("folder", ["", "configs/development/main.yaml/x"])
def test_sandbox_dir_that_cannot_be_made(run_cli, repo_dir, folder: str) -> None:
    (repo_dir / "configs" / "development").mkdir()
    (repo_dir / "configs" / "development" / "main.yaml").write_text("name: main\n")
    result = run_cli(
        "sandbox", "--dir", folder, "--duration", "0.05", "--port", "0", "--tls-port", "0"
    )
    assert result.exit_code == 2, repr(result)
    assert "cannot use --dir" in result.stderr


@pytest.mark.parametrize("folder", ["", "configs/development/main.yaml/x"])
def test_init_in_a_folder_that_cannot_be_made(run_cli, repo_dir, folder: str) -> None:
    (repo_dir / "configs" / "development").mkdir()
    (repo_dir / "configs" / "development" / "main.yaml").write_text("name: main\n")
    result = run_cli("init", folder)
    assert result.exit_code == 2, repr(result)
    assert "cannot make the folder" in result.stderr


@pytest.mark.parametrize(
    "args", [("validate", "a\0b"), ("secrets", "check", "", "\0"), ("init", "x\0")]
)
def test_a_nul_byte_in_an_argument_is_a_usage_error(run_cli, repo_dir, args) -> None:
    result = run_cli(*args)
    assert result.exit_code == 2, repr(result)
    assert "NUL character" in result.stderr
