"""Machine-local state under .smtpops/ never shows up in git, whoever writes it first."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from smtpops.localstate import make_dir, prune, state_dir
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


def test_prune_keeps_the_newest_and_tolerates_a_file_gone_meanwhile(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    for i in range(6):
        path = tmp_path / f"{i}.json"
        path.write_text(str(i))
        os.utime(path, ns=(i * 10**9, i * 10**9))
    (tmp_path / "other.txt").write_text("not a cache file")
    real = os.path.getmtime

    def racing(path):  # type: ignore[no-untyped-def]
        if str(path).endswith("3.json"):
            os.unlink(path)  # another process pruned it first
            raise FileNotFoundError(path)
        return real(path)

    monkeypatch.setattr(os.path, "getmtime", racing)
    prune(str(tmp_path), (".json",), 3)
    # 3.json, gone, counts as one of the three to go: the newest three that are left stay
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2.json", "4.json", "5.json", "other.txt"]
