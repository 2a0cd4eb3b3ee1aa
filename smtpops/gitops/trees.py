"""The files of a revision (or of the working tree), as a review compares them, and a
checkout of a revision to validate it.

Symbolic links are never followed: a link is not read as the file it points to (which may be
outside the repository, or a config of another environment), and a revision is unpacked
without its links. The review lists each link a change adds, changes or removes."""

from __future__ import annotations

import io
import os
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

from smtpops.gitops.repo import Repo

LINK_MODE = 0o120000  # git's file mode of a symbolic link


def files_at(repo: Repo, rev: str | None, configs_rel: str) -> dict[str, bytes]:
    """``configs/`` and ``.sops.yaml`` at ``rev`` (None: the working tree), without links."""
    files, _ = tree_at(repo, rev, configs_rel)
    return files


def tree_at(
    repo: Repo, rev: str | None, configs_rel: str
) -> tuple[dict[str, bytes], dict[str, str]]:
    """(files: path → bytes, links: path → where it points) under ``configs/`` and
    ``.sops.yaml`` at ``rev`` (None: the working tree). Links are listed, never read."""
    wanted = [configs_rel, ".sops.yaml"]
    out: dict[str, bytes] = {}
    links: dict[str, str] = {}
    if rev is None:

        def rel(full: str) -> str:  # the link's own path (Repo.rel resolves links)
            here = os.path.join(os.path.realpath(os.path.dirname(full)), os.path.basename(full))
            return os.path.relpath(here, repo.root).replace(os.sep, "/")

        for top in wanted:
            path = repo.abs(top)
            if os.path.islink(path):
                links[top] = os.readlink(path)
                continue
            if os.path.isfile(path):
                with open(path, "rb") as handle:
                    out[top] = handle.read()
            for root, dirs, names in os.walk(path):  # does not descend into linked folders
                for name in dirs + names:
                    full = os.path.join(root, name)
                    if os.path.islink(full):
                        links[rel(full)] = os.readlink(full)
                    elif name in names and os.path.isfile(full):
                        with open(full, "rb") as handle:
                            out[rel(full)] = handle.read()
                dirs[:] = [d for d in dirs if not d.startswith(".")]
        return out, links
    commit = repo.raw.commit(rev)
    for top in wanted:
        try:
            item = commit.tree / top
        except KeyError:
            continue
        items = item.traverse() if item.type == "tree" else [item]
        for blob in items:
            if blob.type != "blob":
                continue
            data: bytes = blob.data_stream.read()
            if blob.mode == LINK_MODE:
                links[blob.path] = data.decode("utf-8", "replace")
            else:
                out[blob.path] = data
    return out, links


@contextmanager
def checkout(repo: Repo, rev: str | None) -> Iterator[str]:
    """A folder holding the tree of ``rev`` (None: the working tree itself)."""
    if rev is None:
        yield repo.root
        return
    with tempfile.TemporaryDirectory(prefix="smtpops-review-") as tmp:
        # an empty tree (a repository's first, empty commit) has nothing to unpack, and
        # git archive writes for it only a pax header and the end blocks, which tarfile
        # refuses to open ("end of file header"): its checkout is the empty folder
        if len(repo.raw.commit(rev).tree):
            data = repo.raw.git.execute(
                ["git", "archive", "--format=tar", rev], stdout_as_string=False
            )
            with tarfile.open(fileobj=io.BytesIO(data), mode="r:") as tar:
                tar.extractall(tmp, filter=_without_links)
        yield tmp


def _without_links(member: tarfile.TarInfo, dest: str) -> tarfile.TarInfo | None:
    """Regular files and folders only: a link anywhere in the repository (an absolute one made
    the 'data' filter raise AbsoluteLinkError, and the review was never posted) is left out."""
    if not (member.isfile() or member.isdir()):
        return None
    return tarfile.data_filter(member, dest)
