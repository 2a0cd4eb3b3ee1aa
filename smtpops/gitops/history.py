"""``history``: the audit trail from ``git log`` — when, who, what action, which fields
changed from what to what (the password only as "changed"), and the test evidence."""

from __future__ import annotations

import os
from typing import Any

from smtpops import discovery, yamlio
from smtpops.gitops import audit, workspace
from smtpops.records import record
from smtpops.reporters.safe import visible
from smtpops.review import config_key
from smtpops.review.fields import FieldChange, changes


@record(frozen=True, kw_only=True)
class FileChange:
    config: str  # ENV/NAME, or the path for other files
    kind: str  # added | removed | changed
    fields: tuple[FieldChange, ...]


@record(frozen=True, kw_only=True)
class Item:
    entry: audit.Entry
    files: tuple[FileChange, ...]
    boundary: bool = False  # a shallow clone's oldest commit: its parents are not here


@record(frozen=True, kw_only=True)
class History:
    items: tuple[Item, ...]
    scope: str
    shallow_note: str | None


def config_mapping(data: bytes | None) -> dict[str, Any] | None:
    """A config file's bytes as a mapping: None for no file, {} for one that does not parse."""
    if data is None:
        return None
    try:
        parsed = yamlio.loads(data.decode("utf-8")).data
    except (UnicodeDecodeError, yamlio.LoadError):
        return {}
    return parsed if isinstance(parsed, dict) else {}


def _scope(ws: workspace.Workspace, ref: str | None, env: str | None) -> tuple[list[str], str]:
    if ref:
        try:
            path = discovery.resolve_name(ref)
            return [ws.repo.rel(path)], ref
        except Exception:  # a removed config: its path is only in history
            env_name, _, name = ref.partition("/")
            return [
                f"{ws.configs_rel}/{env_name}/{name}.yaml",
                f"{ws.configs_rel}/{env_name}/{name}.yml",
            ], ref
    if env:
        ws.environment(env)
        return [f"{ws.configs_rel}/{env}"], env
    return [ws.configs_rel], "all environments"


def _shallow(ws: workspace.Workspace) -> set[str]:
    path = os.path.join(ws.repo.raw.common_dir, "shallow")
    try:
        with open(path, encoding="utf-8") as handle:
            return {line.strip() for line in handle if line.strip()}
    except OSError:
        return set()


def history(
    ref: str | None = None,
    *,
    env: str | None = None,
    since: str | None = None,
    limit: int | None = None,
    start: str = ".",
) -> History:
    ws = workspace.open_at(start)
    rels, scope = _scope(ws, ref, env)
    shallow = _shallow(ws)
    items = []
    for commit in ws.repo.iter_commits(rels, since=since):
        entry = audit.entry(commit)
        boundary = entry.sha in shallow
        parent = entry.parents[0] if entry.parents else None
        files = [] if boundary else _files(ws, parent, entry.sha, rels)
        items.append(Item(entry=entry, files=tuple(files), boundary=boundary))
        if limit and len(items) >= limit:
            break
    note = None
    if shallow:
        oldest = items[-1].entry if items and items[-1].boundary else None
        where = f" at {oldest.sha[:12]} ({oldest.when})" if oldest else ""
        note = (
            f"this is a shallow clone: the history stops{where}; older changes are not "
            "in this copy. Run `git fetch --unshallow` to see all of it."
        )
    return History(items=tuple(items), scope=scope, shallow_note=note)


def _files(
    ws: workspace.Workspace, parent: str | None, sha: str, rels: list[str]
) -> list[FileChange]:
    args = (
        ["git", "diff", "--name-status", "--no-renames", parent, sha]
        if parent
        else ["git", "diff-tree", "-r", "--root", "--name-status", "--no-renames", sha]
    )
    out = ws.repo.raw.git.execute([*args, "--", *rels])
    found = []
    for line in out.splitlines():
        status, _, rel = line.partition("\t")
        if not rel:
            continue
        key = config_key(rel, ws.configs_rel)
        old = config_mapping(ws.repo.show(parent, rel)) if parent else None
        new = config_mapping(ws.repo.show(sha, rel))
        kind = {"A": "added", "D": "removed"}.get(status[:1], "changed")
        name = f"{key[0]}/{key[1]}" if key else rel
        fields = tuple(changes(old, new)) if key else ()
        found.append(FileChange(config=name, kind=kind, fields=fields))
    return found


def to_dict(result: History) -> dict[str, Any]:
    return {
        "scope": result.scope,
        "shallow_note": result.shallow_note,
        "entries": [
            {
                "commit": i.entry.sha,
                "when": i.entry.when,
                "author": i.entry.author,
                "actor": i.entry.actor,
                "action": i.entry.action,
                "subject": i.entry.subject,
                "environment": i.entry.environment,
                "config": i.entry.config,
                "test": i.entry.trailers.get("Test"),
                "trailers": i.entry.trailers,
                "history_stops_here": i.boundary,
                "changes": [
                    {"config": f.config, "kind": f.kind, "fields": [c.to_dict() for c in f.fields]}
                    for f in i.files
                ],
            }
            for i in result.items
        ],
    }


def text(result: History) -> str:
    """The history for a terminal: every value from git or a config (subjects, names, paths,
    field values) escaped, so none can move the cursor, retitle the window or reverse text."""
    v = visible
    lines = [f"History of {v(result.scope)}:"]
    if not result.items:
        lines.append("  no changes recorded")
    for item in result.items:
        e = item.entry
        lines.append(f"\n{v(e.when)}  {v(e.action):<10} {e.sha[:12]}  by {v(e.actor)}")
        lines.append(f"  {v(e.subject)}")
        for f in item.files:
            lines.append(f"  {v(f.config)}: {f.kind}")
            lines += [f"    {v(c.describe())}" for c in f.fields]
        if "Test" in e.trailers:
            lines.append(f"  test: {v(e.trailers['Test'])}")
        if item.boundary:
            lines.append("  (history stops here in this shallow clone)")
    if result.shallow_note:
        lines.append(f"\nNote: {result.shallow_note}")
    return "\n".join(lines) + "\n"
