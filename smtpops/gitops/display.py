"""Words and data for the outcome of a gitops change (the CLI prints what this returns)."""

from __future__ import annotations

from typing import Any

from smtpops.gitops.change import Outcome
from smtpops.probe import text as probe_text


def text(outcome: Outcome) -> str:
    lines = [f"Note: {note}" for note in outcome.notes]
    if outcome.test is not None:
        lines.append(f"Connection test passed ({probe_text.facts(outcome.test.facts)}):")
        lines += probe_text.steps(outcome.test)
    what = outcome.config or outcome.environment
    if outcome.nothing_to_do:
        lines.append(f"Nothing to change: {what} is already in that state.")
    elif outcome.dry_run:
        lines.append(f"Dry run: would {outcome.action} {what} and commit:")
        lines += [f"  changes {rel}" for rel in outcome.changed]
        lines += ["", *(f"    {line}" for line in outcome.message.splitlines())]
        lines.append("Nothing was written.")
    else:
        verb = {
            "deploy": "Deployed",
            "promote": "Promoted",
            "rollback": "Rolled back",
            "deactivate": "Deactivated",
            "remove": "Removed",
            "unpin": "Unpinned",
        }
        lines.append(
            f"{verb.get(outcome.action, outcome.action)} {what}: "
            f"commit {(outcome.commit or '')[:12]}"
        )
        if outcome.previous and outcome.action in ("deploy", "promote", "rollback", "deactivate"):
            lines.append(f"No longer active: {outcome.previous}")
    return "\n".join(lines)


def data(outcome: Outcome) -> dict[str, Any]:
    test = outcome.test
    return {
        "action": outcome.action,
        "environment": outcome.environment,
        "config": outcome.config,
        "previous": outcome.previous,
        "commit": outcome.commit,
        "dry_run": outcome.dry_run,
        "nothing_to_do": outcome.nothing_to_do,
        "changed": list(outcome.changed),
        "message": outcome.message,
        "notes": list(outcome.notes),
        "test": test.to_dict() if test is not None else None,
    }
