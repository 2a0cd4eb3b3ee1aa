"""The tracking events of a repository (``smtpops events``): git history, the test and page
event logs, and the agent's delivery events, in time order."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from smtpops import remote_agent
from smtpops.errors import UsageError
from smtpops.events import catalog, collect
from smtpops.events.collect import Event
from smtpops.gitops import workspace

__all__ = ["Event", "events", "parse_since"]


def parse_since(value: str | None) -> datetime | None:
    """``--since``: an ISO date or time (UTC unless it says otherwise)."""
    if not value:
        return None
    try:
        return collect.parse_time(value)
    except ValueError:
        raise UsageError(
            f"--since {value!r} is not a date or time",
            hint="Give an ISO date or time, e.g. --since 2026-12-01 or --since 2026-12-01T08:00Z.",
        ) from None


def events(
    start: str = ".",
    *,
    since: datetime | None = None,
    names: tuple[str, ...] = (),
    agent_url: str | None = None,
) -> list[Event]:
    """Every event of the repository found from ``start`` (and of the agent at
    ``agent_url``), oldest first."""
    unknown = [n for n in names if n not in catalog.EVENTS]
    if unknown:
        raise UsageError(
            f"unknown event name(s): {', '.join(unknown)}",
            hint="smtpops events --list shows every name.",
        )
    ws = workspace.open_at(start)
    git_since = since.isoformat() if since else None
    streams: list[Iterable[Event]] = [collect.from_git(ws, git_since)]
    streams += [collect.read_log(path) for path in collect.log_paths(ws.repo.root)]
    if agent_url:
        streams.append(remote_agent.fetch_events(agent_url))
    return collect.merged(streams, since, names)
