"""Machine-local state under .smtpops/ never shows up in git, whoever writes it first."""

from __future__ import annotations

import subprocess
from pathlib import Path

from smtpops.localstate import make_dir, state_dir
from smtpops.probe import log


def _untracked(repo: Path) -> str:
    return subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all"],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def test_every_writer_leaves_git_status_clean(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    log.event(str(tmp_path / ".smtpops"), "connection_test_initiated", config="x")
    (Path(make_dir(str(tmp_path / ".smtpops" / "sandbox" / "messages"))) / "m.eml").write_text("x")
    (Path(state_dir(str(tmp_path), "locks")) / "dev.lock").write_text("x")
    assert _untracked(tmp_path) == ""


def test_folders_outside_smtpops_are_left_alone(tmp_path: Path) -> None:
    make_dir(str(tmp_path / "elsewhere"))
    assert not (tmp_path / "elsewhere" / ".gitignore").exists()
    assert not (tmp_path / ".gitignore").exists()
