"""The merge gate's question: which activations, and which changes to an active config,
since a base revision are not the work of an smtpops deploy (or rollback, promote,
deactivate) commit?

A file passes when its content now is exactly its content at an smtpops commit after the
base whose trailers name its environment and either name the config itself (a deploy,
rollback or promote of it, with a passed connection test) or, for a config switched off,
record the switch. Anything else — a hand edit of ``active:``, a field changed in the active
config, an uncommitted edit — is reported, in every environment.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

from smtpops import discovery, yamlio
from smtpops.errors import GitOpsError, UsageError
from smtpops.gitops import audit
from smtpops.gitops.repo import Repo, open_repo
from smtpops.records import record
from smtpops.rules.context import BaseChange

SWITCHING = (*audit.ACTIVATING, "deactivate")


@record(frozen=True, kw_only=True)
class File:
    """A config of the run: where it is, its environment and name, whether it is active."""

    path: str
    environment: str
    name: str
    active: bool


@record(frozen=True, kw_only=True)
class _Commit:
    entry: audit.Entry
    touched: frozenset[str]


def is_active(data: bytes | None) -> bool:
    """Whether a config file's bytes say ``active: true``."""
    if data is None:
        return False
    try:
        parsed = yamlio.loads(data.decode("utf-8")).data
    except (UnicodeDecodeError, yamlio.LoadError):
        return False
    return isinstance(parsed, dict) and parsed.get("active") is True


def _smtpops_commits(repo: Repo, base: str, head: str | None) -> list[_Commit]:
    """The commits after ``base`` up to ``head`` that carry smtpops trailers of a switch."""
    if head is None or head == base:
        return []
    found = []
    for commit in repo.raw.iter_commits(f"{base}..{head}"):
        entry = audit.entry(commit)
        if entry.action not in SWITCHING:
            continue
        out = repo.raw.git.execute(
            ["git", "diff-tree", "--no-commit-id", "--name-only", "-r", "--root", entry.sha]
        )
        found.append(_Commit(entry=entry, touched=frozenset(out.splitlines())))
    return found


def _blessed(repo: Repo, rel: str, now: bytes, file: File, commits: Iterable[_Commit]) -> bool:
    """Whether an smtpops commit left ``rel`` as it is ``now``: a tested deploy (rollback,
    promote) of this very config, or, for a config now inactive, a switch in its
    environment that touched it."""
    label = f"{file.environment}/{file.name}"
    for commit in commits:
        e = commit.entry
        if e.environment != file.environment:
            continue
        tested_here = e.action in audit.ACTIVATING and e.config == label and e.test_passed
        switched_off_here = not file.active and rel in commit.touched
        if (tested_here or switched_off_here) and repo.show(e.sha, rel) == now:
            return True
    return False


def unreviewed(base: str, files: Iterable[File], *, start: str = ".") -> dict[str, BaseChange]:
    """Per config path: the activation or change of an active config since ``base`` that no
    smtpops deploy/rollback commit accounts for, in the working tree. Raises UsageError for
    a ``base`` that is not a commit."""
    try:
        repo = open_repo(start)
        base_sha = repo.resolve(base)
    except GitOpsError as exc:
        raise UsageError(f"--base {base}: {exc.message}", hint=exc.hint) from None
    files = list(files)
    found: dict[str, BaseChange] = {}
    for file, change in judge(repo, base_sha, None, files, label=base):
        found[file.path] = change
    configs_dir = discovery.find_configs_dir(start)
    if configs_dir is not None:
        at_base = removed(repo, base_sha, repo.rel(configs_dir), ())
        gone = [
            File(path=repo.abs(f.path), environment=f.environment, name=f.name, active=False)
            for f in at_base
            if not os.path.lexists(repo.abs(f.path))
        ]
        for file, change in judge(repo, base_sha, None, gone, label=base):
            found[discovery.classify(file.path).path] = change
    return found


def contents_at(base: str, paths: Iterable[str], *, start: str = ".") -> dict[str, bytes]:
    """The bytes of each file (a path on disk) at revision ``base``; files that did not
    exist there are left out. Raises UsageError for a ``base`` that is not a commit."""
    try:
        repo = open_repo(start)
        base_sha = repo.resolve(base)
    except GitOpsError as exc:
        raise UsageError(f"--base {base}: {exc.message}", hint=exc.hint) from None
    found = {}
    for path in paths:
        data = repo.show(base_sha, repo.rel(path))
        if data is not None:
            found[path] = data
    return found


def judge(
    repo: Repo, base_sha: str, head_sha: str | None, files: Iterable[File], *, label: str
) -> list[tuple[File, BaseChange]]:
    """The files (paths relative to the repository root when ``head_sha`` is given, else
    paths on disk) whose activation or change since ``base_sha`` no smtpops commit up to
    ``head_sha`` (None: HEAD, with the working tree's content) accounts for."""
    commits: list[_Commit] | None = None
    found = []
    for file in files:
        rel = repo.rel(file.path) if head_sha is None else file.path
        now = _working(file.path) if head_sha is None else repo.show(head_sha, rel)
        before = repo.show(base_sha, rel)
        if before == now:
            continue
        was = is_active(before)
        if not was and not file.active:
            continue  # an inactive config changed or went: its deploy will test it
        if commits is None:
            commits = _smtpops_commits(repo, base_sha, head_sha or repo.head())
        if now is None:
            if not _switched_off(repo, rel, file, commits):
                kind = "removed"
                found.append((file, BaseChange(kind=kind, base=f"{label} ({base_sha[:12]})")))
            continue
        if _blessed(repo, rel, now, file, commits):
            continue
        kind = "activated" if not was else "changed" if file.active else "deactivated"
        found.append((file, BaseChange(kind=kind, base=f"{label} ({base_sha[:12]})")))
    return found


def _switched_off(repo: Repo, rel: str, file: File, commits: Iterable[_Commit]) -> bool:
    """A config active at the base and gone now was first switched off by smtpops."""
    for commit in commits:
        if commit.entry.environment == file.environment and rel in commit.touched:
            data = repo.show(commit.entry.sha, rel)
            if data is not None and not is_active(data):
                return True
    return False


def removed(repo: Repo, base_sha: str, configs_rel: str, present: Iterable[str]) -> list[File]:
    """The configs of ``configs_rel/<env>/`` at ``base_sha`` that ``present`` (paths
    relative to the repository root) no longer holds, as files to judge."""
    have = set(present)
    found = []
    for rel in repo.list_files(base_sha, configs_rel):
        parts = rel[len(configs_rel) + 1 :].split("/")
        if len(parts) != 2 or parts[1].startswith(".") or rel in have:
            continue
        stem, suffix = os.path.splitext(parts[1])
        if suffix in (".yaml", ".yml") and not parts[0].startswith("."):
            found.append(File(path=rel, environment=parts[0], name=stem, active=False))
    return found


def _working(path: str) -> bytes | None:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError:
        return None


def tested_as_is(repo: Repo, rel: str, label: str) -> bool:
    """Whether ``rel`` at HEAD is exactly what the last smtpops commit naming ``label``
    (ENV/NAME) tested; False when no such commit exists."""
    # lazy: gitpython loads only in the commands that read git
    import git

    if repo.head() is None:
        return False
    try:
        out = repo.raw.git.execute(
            ["git", "log", "-1", "--format=%H", "-F", f"--grep=Smtpops-Config: {label}", "HEAD"]
        )
    except git.GitCommandError:
        return False
    sha = out.strip()
    if not sha:
        return False
    entry = audit.entry(repo.raw.commit(sha))
    if entry.config != label or entry.action not in audit.ACTIVATING:
        return False
    return repo.show(sha, rel) == repo.show("HEAD", rel)
