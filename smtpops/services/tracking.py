"""The page's tracking events (the spec's section 12), appended to the repository's event
log, ``.smtpops/events.jsonl``, where ``smtpops events`` (and the agent) read them.

Which names the page emits, and with which properties, is the catalogue's
(:mod:`smtpops.events.catalog`): the events whose source is the page, and
``it_approval_requested`` when a save needs IT's approval. Changes themselves
(``smtp_config_created`` …) are read from git history, so the page does not log them again.
Properties are facts (config, provider, rule areas), never a secret.
"""

from __future__ import annotations

from typing import Any

from smtpops import localstate
from smtpops.events import catalog
from smtpops.probe import log

PAGE_EVENTS = (
    *(name for name, spec in catalog.EVENTS.items() if spec.source == catalog.UI),
    "it_approval_requested",
)


def record(root: str, name: str, **properties: Any) -> None:
    """Append page event ``name`` to the event log of the repository at ``root``."""
    if name not in PAGE_EVENTS:
        raise ValueError(f"the page does not emit {name!r}")
    log.event(localstate.top(root), name, **properties)
