"""The review of what a branch (or the working tree) changes (``smtpops diff BASE [HEAD]``):
per config the field changes and activation, and only the validation findings the change
introduces."""

from __future__ import annotations

import dataclasses
import os

from smtpops import engine, settings
from smtpops.diagnostics import Diagnostic
from smtpops.gitops import provenance, workspace
from smtpops.gitops.repo import Repo
from smtpops.gitops.trees import checkout, files_at
from smtpops.review import Review, compare

__all__ = ["Review", "review"]

Key = tuple[str, str, str | None, str]


def _from_root(d: Diagnostic, root: str) -> Diagnostic:
    """``d`` with its path relative to ``root`` (the checkout), as the repository names it."""
    full, root = os.path.realpath(d.location.path), os.path.realpath(root)
    if os.path.commonpath((full, root)) != root:
        return d
    path = os.path.relpath(full, root)
    return dataclasses.replace(d, location=dataclasses.replace(d.location, path=path))


def side(
    repo: Repo, rev: str | None, configs_rel: str
) -> tuple[dict[Key, Diagnostic], settings.Settings]:
    """The validation findings of one side (paths relative to the repository root), and its
    environments and policy."""
    with checkout(repo, rev) as root:
        configs = os.path.join(root, configs_rel)
        if not os.path.isdir(configs):
            return {}, settings.DEFAULT
        project = settings.load(configs)
        report = engine.validate((configs,))
        found = [_from_root(d, root) for d in report.diagnostics]
    return {(d.rule_id, d.location.path, d.location.field, d.message): d for d in found}, project


def review(base: str, head: str | None = None, *, start: str = ".") -> Review:
    """What changes from revision ``base`` to ``head`` (None: the working tree), in the
    repository at ``start``."""
    ws = workspace.open_at(start)
    repo, configs_rel = ws.repo, ws.configs_rel
    base_sha = repo.resolve(base)
    head_sha = repo.resolve(head) if head else None
    base_found, _ = side(repo, base_sha, configs_rel)
    head_found, head_settings = side(repo, head_sha, configs_rel)
    new = tuple(
        d
        for key, d in sorted(head_found.items(), key=lambda kv: kv[1].sort_key())
        if key not in base_found
    )
    fixed = sum(1 for key in base_found if key not in head_found)
    head_files = files_at(repo, head_sha, configs_rel)
    result = compare(
        files_at(repo, base_sha, configs_rel),
        head_files,
        configs_rel=configs_rel,
        base_name=f"{base} ({base_sha[:12]})",
        head_name=f"{head} ({head_sha[:12]})" if head and head_sha else "working tree",
        head_settings=head_settings,
        new_findings=new,
        fixed_findings=fixed,
    )
    return _gate(repo, base, base_sha, head_sha, result, head_files)


def _gate(
    repo: Repo,
    base: str,
    base_sha: str,
    head_sha: str | None,
    result: Review,
    head_files: dict[str, bytes],
) -> Review:
    """Mark the activations and changes of active configs no smtpops deploy made (REPO006)."""
    files = [
        provenance.File(
            path=c.path if head_sha else repo.abs(c.path),
            environment=c.environment,
            name=c.name,
            active=provenance.is_active(head_files.get(c.path)),
        )
        for c in result.configs
    ]
    found = {
        (file.environment, file.name): change.kind
        for file, change in provenance.judge(repo, base_sha, head_sha, files, label=base)
    }
    configs = tuple(
        dataclasses.replace(c, untested=found.get((c.environment, c.name))) for c in result.configs
    )
    return dataclasses.replace(result, configs=configs)
