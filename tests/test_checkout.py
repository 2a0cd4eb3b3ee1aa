"""What is committed is the project, not one machine's state: no tracked file that .gitignore
ignores (a worktree's ``.venv`` symlink once was, and CI could not create its own virtual
environment), and no tracked symlink that points out of the repository."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tests.tooling import find_tool, missing

ROOT = Path(__file__).resolve().parents[1]


def _tracked(*args: str) -> list[str]:
    git = find_tool("git", hint="Debian's git package")
    if not (ROOT / ".git").exists():
        missing(f"{ROOT} is not a git checkout, so there is no list of tracked files")
    out = subprocess.run(
        [git, "ls-files", "-z", *args], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return [name for name in out.stdout.split("\0") if name]


def test_no_tracked_file_is_ignored() -> None:
    ignored = _tracked("--cached", "--ignored", "--exclude-standard")
    assert ignored == [], f"tracked but ignored (git rm --cached them): {ignored}"


def test_no_tracked_symlink_leaves_the_repository() -> None:
    outside = []
    for name in _tracked():
        path = ROOT / name
        if path.is_symlink():
            target = (path.parent / os.readlink(path)).resolve()
            if not target.is_relative_to(ROOT):
                outside.append(f"{name} -> {os.readlink(path)}")
    assert outside == [], f"symlinks out of the repository: {outside}"
