"""``status``: per environment what is active, whether it is pinned or locked, and the last
deploy and test as recorded in git (and in the local test log, when there is one)."""

from __future__ import annotations

import json
import os
from typing import Any

from smtpops import localstate
from smtpops.gitops import audit, lock, pins, transaction, workspace
from smtpops.gitops.workspace import Workspace
from smtpops.probe import log
from smtpops.records import record


@record(frozen=True, kw_only=True)
class EnvStatus:
    environment: str
    protected: bool
    configs: tuple[str, ...]
    active: tuple[str, ...]
    endpoint: str | None  # host:port TLS of the active config
    pin: pins.Pin | None
    lock: lock.LockInfo | None
    last_change: audit.Entry | None
    last_test: audit.Entry | None
    local_test: dict[str, Any] | None
    notes: tuple[str, ...] = ()

    @property
    def warnings(self) -> tuple[str, ...]:
        if not self.active:
            return ("no config is active: the CRM sends no email from this environment",)
        if len(self.active) > 1:
            return (f"{len(self.active)} configs are active; deploy one of them to fix that",)
        return ()


def _recover(ws: Workspace, env: str) -> str | None:
    if not os.path.exists(transaction.journal_path(ws.repo.root, env)):
        return None
    try:
        with ws.locked(env, holder="smtpops status", reason="recovery", wait=0) as notes:
            return "; ".join(notes) or None
    except lock.LockHeld:
        return None


def _local_test(root: str, env: str) -> dict[str, Any] | None:
    path = os.path.join(localstate.top(root), log.TEST_LOG)
    last = None
    try:
        with open(path, encoding="utf-8") as handle:
            for line in handle:
                try:
                    record = json.loads(line)
                except ValueError:
                    continue
                if isinstance(record, dict) and record.get("environment") == env:
                    last = record
    except OSError:
        return None
    return last


def _last(ws: Workspace, env: str) -> tuple[audit.Entry | None, audit.Entry | None]:
    change = test = None
    for item in audit.entries(ws.repo, [f"{ws.configs_rel}/{env}", ws.pins_rel]):
        if item.environment != env:
            continue
        change = change or item
        if "Test" in item.trailers:
            test = item
            break
    return change, test


def status(env: str | None = None) -> list[EnvStatus]:
    ws = workspace.open_at()
    names = [ws.environment(env).name] if env else list(ws.settings.order)
    pinned = ws.pins()
    out = []
    for name in names:
        note = _recover(ws, name)
        configs = ws.configs(name)
        active = [c for c in configs if c.active]
        endpoint = None
        if len(active) == 1:
            data = active[0].data
            endpoint = f"{data.get('host')}:{data.get('port', 587)} {data.get('tls', 'STARTTLS')}"
        change, test = _last(ws, name)
        out.append(
            EnvStatus(
                environment=name,
                protected=ws.environment(name).policy.protected,
                configs=tuple(f"{name}/{c.name}" for c in configs),
                active=tuple(f"{name}/{c.name}" for c in active),
                endpoint=endpoint,
                pin=pinned.get(name),
                lock=lock.holder(ws.repo.root, name),
                last_change=change,
                last_test=test,
                local_test=_local_test(ws.repo.root, name),
                notes=(note,) if note else (),
            )
        )
    return out


def to_dict(item: EnvStatus) -> dict[str, Any]:
    def entry(e: audit.Entry | None) -> dict[str, Any] | None:
        if e is None:
            return None
        return {
            "commit": e.sha,
            "when": e.when,
            "who": e.actor,
            "action": e.action,
            "config": e.config,
            "test": e.trailers.get("Test"),
        }

    return {
        "environment": item.environment,
        "protected": item.protected,
        "configs": list(item.configs),
        "active": list(item.active),
        "endpoint": item.endpoint,
        "pinned": None
        if item.pin is None
        else {
            "config": item.pin.config,
            "by": item.pin.by,
            "at": item.pin.at,
            "reason": item.pin.reason,
        },
        "lock": None
        if item.lock is None
        else {
            "holder": item.lock.holder,
            "reason": item.lock.reason,
            "pid": item.lock.pid,
            "host": item.lock.host,
            "started": item.lock.started,
            "expires": item.lock.expires,
            "stale": item.lock.stale,
        },
        "last_change": entry(item.last_change),
        "last_test": entry(item.last_test),
        "local_test": item.local_test,
        "warnings": list(item.warnings),
        "notes": list(item.notes),
    }


def text(items: list[EnvStatus]) -> str:
    lines: list[str] = []
    for item in items:
        active = ", ".join(item.active) or "none"
        head = f"{item.environment}{' (protected)' if item.protected else ''}: active {active}"
        lines.append(head + (f" — {item.endpoint}" if item.endpoint else ""))
        for note in item.notes:
            lines.append(f"  note:        {note}")
        for warning in item.warnings:
            lines.append(f"  warning:     {warning}")
        if item.pin:
            lines.append(
                f"  pinned:      to {item.pin.config} since {item.pin.at} by "
                f"{item.pin.by} ({item.pin.reason}); `smtpops unpin "
                f"{item.environment}` allows deploys again"
            )
        else:
            lines.append("  pinned:      no")
        lines.append(f"  lock:        {'held by ' + item.lock.describe() if item.lock else 'free'}")
        if item.last_change:
            c = item.last_change
            lines.append(
                f"  last change: {c.action} {c.config or ''} on {c.when} by {c.actor} "
                f"(commit {c.sha[:12]})".replace("  on", " on")
            )
        else:
            lines.append("  last change: none recorded by smtpops")
        if item.last_test:
            lines.append(
                f"  last test:   {item.last_test.trailers['Test']} "
                f"({item.last_test.when}, commit {item.last_test.sha[:12]})"
            )
        if item.local_test:
            t = item.local_test
            outcome = t.get("outcome") or ("passed" if t.get("passed") else "failed")
            lines.append(
                f"  local test:  {outcome} {t.get('config', '')} at "
                f"{t.get('timestamp', t.get('time', '?'))} (this machine's test log)"
            )
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
