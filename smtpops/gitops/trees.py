"""The files of a revision (or of the working tree), as a review compares them, and a
checkout of a revision to validate it."""

from __future__ import annotations

import io
import os
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

from smtpops.gitops.repo import Repo


def files_at(repo: Repo, rev: str | None, configs_rel: str) -> dict[str, bytes]:
    """``configs/`` and ``.sops.yaml`` at ``rev`` (None: the working tree)."""
    wanted = [configs_rel, ".sops.yaml"]
    out: dict[str, bytes] = {}
    if rev is None:
        for top in wanted:
            path = repo.abs(top)
            if os.path.isfile(path):
                with open(path, "rb") as handle:
                    out[top] = handle.read()
            for root, dirs, names in os.walk(path):
                dirs[:] = [d for d in dirs if not d.startswith(".")]
                for name in names:
                    full = os.path.join(root, name)
                    with open(full, "rb") as handle:
                        out[repo.rel(full)] = handle.read()
        return out
    for top in wanted:
        data = repo.show(rev, top)
        if data is not None:
            out[top] = data
        for rel in repo.list_files(rev, top):
            out[rel] = repo.show(rev, rel) or b""
    return out


@contextmanager
def checkout(repo: Repo, rev: str | None) -> Iterator[str]:
    """A folder holding the tree of ``rev`` (None: the working tree itself)."""
    if rev is None:
        yield repo.root
        return
    data = repo.raw.git.execute(["git", "archive", "--format=tar", rev], stdout_as_string=False)
    with tempfile.TemporaryDirectory(prefix="smtpops-review-") as tmp:
        with tarfile.open(fileobj=io.BytesIO(data)) as tar:
            tar.extractall(tmp, filter="data")
        yield tmp
