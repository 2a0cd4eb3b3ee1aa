"""SIGKILL a real `smtpops deploy` at random points, many times: no stray file is ever left
in the work tree (temporary files live under the self-ignoring .smtpops/), and the next
deploy finishes or undoes the killed one and works."""

from __future__ import annotations

import os
import random
import signal
import time

from tests.gitops.conftest import Project, git

KILLS = 24  # about 25 s on two shared cores: each round is one deploy cut short


def _untracked_or_strays(project: Project) -> list[str]:
    """Files git would show as new (untracked), and temp files anywhere outside .smtpops/."""
    lines = git(project.root, "status", "--porcelain", "--untracked-files=all").splitlines()
    found = [line[3:] for line in lines if line.startswith("??")]
    for path in project.root.rglob("*.tmp"):
        rel = path.relative_to(project.root).as_posix()
        if not rel.startswith((".git/", ".smtpops/")):
            found.append(rel)
    return found


def _one_deploy(project: Project, name: str) -> float:
    """A deploy that runs to its end; it waits for the lock a killed run's children may
    still hold for a moment while they die."""
    start = time.monotonic()
    proc = project.smtpops("deploy", f"development/{name}", "--wait", "20", start_new_session=True)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, (out, err)
    return time.monotonic() - start


def test_sigkill_at_random_points_leaves_no_stray_file(project: Project) -> None:
    project.add_config("development", "a", active=True)
    project.add_config("development", "b")
    took = _one_deploy(project, "b")  # how long a whole deploy takes here
    rng = random.Random(int(os.environ.get("SMTPOPS_KILL_SEED", "15")))
    names = ["a", "b"]
    for round_ in range(KILLS):
        name = names[round_ % 2]
        proc = project.smtpops("deploy", f"development/{name}", start_new_session=True)
        time.sleep(rng.uniform(0.05, took * 1.1))
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate(timeout=30)
        strays = _untracked_or_strays(project)
        assert strays == [], f"round {round_}: left in the work tree: {strays}"
    _one_deploy(project, "a")  # repairs whatever the last kill left, then deploys
    assert project.status() == ""
    assert project.active("development") == ["a"]
    assert _untracked_or_strays(project) == []
