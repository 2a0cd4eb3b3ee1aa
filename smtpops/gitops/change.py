"""One gated change of an environment, shared by deploy, promote and rollback:

lock → finish a half-done change → refuse a pinned or dirty target → write the prepared
files → validate and test the config that will be active → switch ``active:`` → update
pins → one commit. Everything happens inside a :class:`Transaction`, so any failure (or
``--dry-run``) leaves the working tree and index exactly as they were.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
from collections.abc import Callable
from dataclasses import field
from datetime import UTC, datetime
from typing import Protocol

from smtpops import __version__
from smtpops.errors import GitOpsError
from smtpops.gitops import activation, audit, pins, provenance, trailers
from smtpops.gitops.gate import Gate
from smtpops.gitops.transaction import Transaction
from smtpops.gitops.workspace import Workspace
from smtpops.probe import text as probe_text
from smtpops.probe.result import ProbeReport
from smtpops.records import record


@record(frozen=True, kw_only=True)
class Outcome:
    """What a change did (or, with ``dry_run``, would do). No field holds a secret."""

    action: str
    environment: str
    config: str | None  # ENV/NAME now active (None after deactivate)
    previous: str | None
    commit: str | None = None
    dry_run: bool = False
    nothing_to_do: bool = False
    test: ProbeReport | None = None
    changed: tuple[str, ...] = ()
    message: str = ""
    notes: tuple[str, ...] = ()


class Handover(Protocol):
    """A runtime step that goes with the commit (``smtpops.services.apply.Handover``)."""

    def prepare(self, ws: Workspace, env: str) -> dict[str, str]:
        """Trailers (e.g. the rendered digest), from the files as they will be committed."""
        ...

    def deliver(self) -> str:
        """Apply before the commit; raise to stop the change. Returns a note."""
        ...

    def undo(self) -> None:
        """The commit failed after ``deliver``: put the runtime back to what HEAD records."""
        ...


@record(kw_only=True)
class Change:
    """A change to make active ``name`` in ``env`` (``name`` None: nothing active after)."""

    action: str
    env: str
    name: str | None
    subject: str
    body: list[str] = field(default_factory=list)
    trailers: dict[str, str] = field(default_factory=dict)
    writes: dict[str, bytes | None] = field(default_factory=dict)  # rel → bytes, None deletes
    after_write: Callable[[Transaction], None] | None = None  # e.g. re-encrypt a password
    pin: pins.Pin | None = None
    unpin: bool = False
    gated: bool = True
    activate: bool = True  # make ``name`` the only active config (False: leave activation)
    respect_pin: bool = True
    extra_touched: list[str] = field(default_factory=list)
    target: str | None = None  # rel path of a config that does not exist yet (promote)
    handover: Handover | None = None  # e.g. apply to Postfix, with the digest in a trailer


def _refuse_pinned(ws: Workspace, env: str) -> None:
    pin = ws.pins().get(env)
    if pin:
        raise GitOpsError(
            f"{env} is pinned to {pin.config} since {pin.at} by {pin.by} ({pin.reason}); "
            "nothing was changed",
            hint=f"When the problem that led to the rollback is fixed, run `smtpops unpin {env}`"
            " (as a reviewed commit), then deploy again.",
        )


def apply(
    ws: Workspace,
    change: Change,
    *,
    gate: Gate | None = None,
    dry_run: bool = False,
    wait: float = 0.0,
) -> Outcome:
    if change.gated and gate is None:
        raise TypeError(f"a gated {change.action} needs a gate (smtpops.services.connection.gate)")
    env = ws.environment(change.env)
    identity = ws.repo.identity()
    actor = trailers.actor(str(identity))
    label = f"{env.name}/{change.name}" if change.name else env.name
    with ws.locked(env.name, holder=actor, reason=f"{change.action} {label}", wait=wait) as notes:
        if change.respect_pin:
            _refuse_pinned(ws, env.name)
        configs = ws.configs(env.name)
        found = next((c for c in configs if c.name == change.name), None)
        target = (
            found.rel
            if found
            else (
                change.target or f"{ws.configs_rel}/{env.name}/{change.name}.yaml"
                if change.name
                else None
            )
        )
        current = [c for c in configs if c.active]
        previous = ", ".join(f"{env.name}/{c.name}" for c in current if c.name != change.name)
        touched = sorted(
            {*change.writes, *(c.rel for c in current if change.activate), *change.extra_touched}
            | ({target} if target else set())
            | ({ws.pins_rel} if change.pin or change.unpin else set())
        )
        if target and target not in change.writes and not ws.repo.tracked(target):
            raise GitOpsError(
                f"{label} is not committed to git yet",
                hint=f"Commit it first (git add {target} && git commit), so the deploy "
                "records a reviewed file.",
            )
        ws.refuse_dirty(touched)
        report = None
        with Transaction(ws.repo, env.name, touched) as tx:
            for rel, data in change.writes.items():
                tx.delete(rel) if data is None else tx.write(rel, data)
            if change.after_write:
                change.after_write(tx)
            if change.gated and target:
                assert gate is not None  # checked on entry
                report = gate(ws.repo.root, ws.repo.abs(target), label, env)
            for item in ws.configs(env.name) if change.activate else ():
                want = item.name == change.name
                if item.active != want:
                    with open(item.path, encoding="utf-8") as handle:
                        text = handle.read()
                    tx.write(item.rel, activation.set_active(text, want, where=item.rel).encode())
            pinned = ws.pins()
            if change.pin:
                pinned[env.name] = change.pin
            if change.unpin:
                pinned.pop(env.name, None)
            if change.pin or change.unpin:
                data = pins.render(pinned)
                tx.delete(ws.pins_rel) if data is None else tx.write(ws.pins_rel, data)
            changed = tuple(
                rel for rel in sorted(tx.written) if tx.written[rel] != _digest_of(tx.files[rel][0])
            )
            # an active config changed since its last deploy: record the fresh test in a
            # commit of its own, so the merge gate (validate --base, REPO006) sees it deployed
            evidence = bool(
                not changed
                and report
                and target
                and change.action in audit.ACTIVATING
                and not provenance.tested_as_is(ws.repo, target, label)
            )
            if evidence and target:
                tx.refresh(target)
                change.body.append(f"{label} was already active; its changed settings are tested.")
            extra = change.handover.prepare(ws, env.name) if change.handover else {}
            values = {
                "Action": change.action,
                "Environment": env.name,
                "Config": label if change.name else None,
                "Previous": previous or "none",
                "Test": trailers.test_line(True, report.facts) if report else None,
                "Actor": actor,
                "Version": __version__,
                **change.trailers,
                **extra,
            }
            body = [*change.body, *([describe_test(report)] if report else [])]
            message = trailers.message(change.subject, "\n".join(body), values)
            outcome = Outcome(
                action=change.action,
                environment=env.name,
                config=label if change.name else None,
                previous=previous or None,
                dry_run=dry_run,
                nothing_to_do=not changed and not evidence,
                test=report,
                changed=changed,
                message=message,
                notes=tuple(notes),
            )
            if dry_run:
                return outcome  # leaving the block without a commit restores everything
            if change.handover:
                note = change.handover.deliver()
                if note:
                    outcome = dataclasses.replace(outcome, notes=(*outcome.notes, note))
            if not (changed or evidence):
                return outcome
            try:
                sha = tx.commit(message, allow_empty=evidence)
            except BaseException:
                if change.handover:
                    with contextlib.suppress(Exception):
                        change.handover.undo()
                raise
        return dataclasses.replace(outcome, commit=sha)


def _digest_of(data: bytes | None) -> str | None:

    return hashlib.sha256(data).hexdigest() if data is not None else None


def describe_test(report: ProbeReport) -> str:
    """The test evidence in words, for the commit message body."""
    return f"The connection test passed ({probe_text.facts(report.facts)})."


def now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()
