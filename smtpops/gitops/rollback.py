"""``rollback``: re-activate the previous good config of an environment, as a new commit
(never a history rewrite), after the same connection test; then pin the environment.

"Previous good" is the newest commit that activated a config of the environment after a
passing test and whose file differs from what is active now; the file is restored as it
was in that commit. ``--to`` picks a revision (what was active there) or a config name.
"""

from __future__ import annotations

import os

from smtpops import yamlio
from smtpops.errors import GitOpsError
from smtpops.gitops import audit, pins, trailers, workspace
from smtpops.gitops.change import Change, Handover, Outcome, apply, now
from smtpops.gitops.gate import Gate
from smtpops.gitops.workspace import Workspace
from smtpops.records import record


def _file_at(ws: Workspace, sha: str, env: str, name: str) -> tuple[str, bytes] | None:
    for rel in ws.repo.list_files(sha, f"{ws.configs_rel}/{env}"):
        stem, ext = os.path.splitext(os.path.basename(rel))
        if stem == name and ext in (".yaml", ".yml"):
            data = ws.repo.show(sha, rel)
            if data is not None:
                return rel, data
    return None


def _active_at(ws: Workspace, sha: str, env: str) -> tuple[str, str, bytes] | None:
    for rel in ws.repo.list_files(sha, f"{ws.configs_rel}/{env}"):
        data = ws.repo.show(sha, rel) or b""
        try:
            parsed = yamlio.loads(data.decode("utf-8")).data
        except (UnicodeDecodeError, yamlio.LoadError):
            continue
        if isinstance(parsed, dict) and parsed.get("active") is True:
            return os.path.splitext(os.path.basename(rel))[0], rel, data
    return None


def choose(ws: Workspace, env: str, to: str | None) -> tuple[str, str, bytes, str]:
    """(config name, rel path, file bytes, commit) to roll back to."""
    current = {c.name: c for c in ws.configs(env) if c.active}

    def is_current(name: str, data: bytes) -> bool:
        item = current.get(name)
        if item is None:
            return False
        with open(item.path, "rb") as handle:
            return handle.read() == data

    if to and ws.repo.head() and "/" not in to and _is_rev(ws, to):
        sha = ws.repo.resolve(to)
        active = _active_at(ws, sha, env)
        if active is None:
            raise GitOpsError(
                f"no config of {env} was active at {to}",
                hint=f"`smtpops history --env {env}` lists the deploys.",
            )
        return active[0], active[1], active[2], sha
    wanted = to.split("/")[-1].removesuffix(".yaml").removesuffix(".yml") if to else None
    for item in audit.activations(ws.repo, ws.configs_rel, env):
        name = (item.config or "").split("/")[-1]
        if wanted and name != wanted:
            continue
        found = _file_at(ws, item.sha, env, name)
        if found and (wanted or not is_current(name, found[1])):
            return name, found[0], found[1], item.sha
    what = f"{env}/{wanted}" if wanted else f"a config of {env} other than the active one"
    note = (
        " (this is a shallow clone: fetch the full history with `git fetch --unshallow`)"
        if ws.repo.is_shallow()
        else ""
    )
    raise GitOpsError(
        f"the history holds no tested deploy of {what}{note}",
        hint=f"`smtpops history --env {env}` lists the deploys; pick one with --to.",
    )


def _is_rev(ws: Workspace, text: str) -> bool:
    try:
        ws.repo.resolve(text)
    except GitOpsError:
        return False
    return True


def rollback(
    env: str,
    *,
    to: str | None = None,
    gate: Gate | None = None,
    dry_run: bool = False,
    wait: float = 0.0,
    handover: Handover | None = None,
) -> Outcome:
    ws = workspace.open_at()
    ws.environment(env)
    name, rel, data, sha = choose(ws, env, to)
    actor = trailers.actor(str(ws.repo.identity()))
    change = Change(
        action="rollback",
        env=env,
        name=name,
        target=rel,
        respect_pin=False,
        subject=f"Roll back {env} to {env}/{name} as of {sha[:12]}",
        body=[
            f"{env}/{name} is active again with its settings of commit {sha[:12]}.",
            f"{env} is pinned: deploys are refused until `smtpops unpin {env}`.",
        ],
        trailers={"Source": f"{env}/{name} {sha[:12]}", "Pin": "pinned"},
        writes={rel: data},
        pin=pins.Pin(
            environment=env,
            config=f"{env}/{name}",
            by=actor,
            at=now(),
            reason=f"rollback to {sha[:12]}",
        ),
        handover=handover,
    )
    return apply(ws, change, gate=gate, dry_run=dry_run, wait=wait)


#: failure classes where the server refused the credentials themselves
PASSWORD_REFUSED = ("auth.failed", "auth.rejected", "auth.app_password")


@record(frozen=True, kw_only=True)
class Restored:
    """What a rollback restores, for explaining a refused password: the config, its file, the
    commit it comes from, and the newest later commit that changed its password (sha,
    subject), if any."""

    name: str
    rel: str
    sha: str
    password_changed: tuple[str, str] | None
    password_differs: bool


def restored(env: str, to: str | None = None) -> Restored:
    """What ``rollback(env, to=to)`` restores (the same choice, made again)."""
    ws = workspace.open_at()
    name, rel, data, sha = choose(ws, env, to)
    current = _password_of(ws.repo.show("HEAD", rel))
    return Restored(
        name=name,
        rel=rel,
        sha=sha,
        password_changed=_password_change(ws, rel, sha),
        password_differs=current is not None and current != _password_of(data),
    )


def _password_of(data: bytes | None) -> object:
    try:
        parsed = yamlio.loads((data or b"").decode("utf-8")).data
    except (UnicodeDecodeError, yamlio.LoadError):
        return None
    return parsed.get("password") if isinstance(parsed, dict) else None


def _password_change(ws: Workspace, rel: str, since: str) -> tuple[str, str] | None:
    """The newest commit after ``since`` that changed the (encrypted) password of ``rel``."""
    for commit in ws.repo.iter_commits([rel]):
        if commit.hexsha == since:
            return None
        parent = commit.parents[0].hexsha if commit.parents else None
        mine = _password_of(ws.repo.show(commit.hexsha, rel))
        if parent is None or mine != _password_of(ws.repo.show(parent, rel)):
            return commit.hexsha, str(commit.summary)
    return None
