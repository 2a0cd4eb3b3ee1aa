"""The spec's tracking events (section 12) as JSON lines in ``.smtpops/events.jsonl``.

One line per event: ``{"event": NAME, "timestamp": ..., **properties}``, the same file the
connection test writes its ``connection_test_*`` events to. Only names listed here are
recorded, and properties are facts (config, environment, provider, rule IDs), never a secret.
Readers (the agent, a dashboard) take the file line by line with :func:`read`.
"""

from __future__ import annotations

import json
import os
from typing import Any

from smtpops import localstate
from smtpops.probe import log

#: event name -> what it records (the spec's Utility Administrator and System Admin tracking)
EVENTS: dict[str, str] = {
    "smtp_settings_accessed": "the SMTP Settings page was opened",
    "provider_template_selected": "a provider was picked in the Email Provider dropdown",
    "guided_setup_completed": "a new config made on the page was saved",
    "error_message_displayed": "the page showed validation errors (their rule IDs)",
    "it_approval_requested": "a change needs IT approval (security-sensitive or protected)",
    "smtp_config_created": "a new config was committed",
    "smtp_config_modified": "a config change was committed",
    "smtp_config_activated": "a config was deployed (made active)",
}


def directory(root: str) -> str:
    return localstate.top(root)


def record(root: str, name: str, **properties: Any) -> None:
    """Append event ``name`` to ``<root>/.smtpops/events.jsonl``; unknown names are refused."""
    if name not in EVENTS:
        raise ValueError(f"unknown event {name!r}")
    log.event(directory(root), name, **properties)


def read(root: str) -> list[dict[str, Any]]:
    """Every event recorded under ``root``, oldest first (unreadable lines are skipped)."""
    try:
        with open(os.path.join(directory(root), log.EVENTS), encoding="utf-8") as handle:
            lines = handle.readlines()
    except OSError:
        return []
    found = []
    for line in lines:
        try:
            item = json.loads(line)
        except ValueError:
            continue
        if isinstance(item, dict):
            found.append(item)
    return found
