"""Reading a running smtpops agent over HTTP from elsewhere (``smtpops status --agent URL``): what it last
applied and probed per environment, compared with what git says (drift)."""

from __future__ import annotations

import json
import time
import urllib.request
from typing import Any

from smtpops.errors import InputError


def _base(url: str) -> str:
    base = url.rstrip("/")
    if not base.startswith(("http://", "https://")):
        raise InputError(
            f"--agent {url!r} is not an http:// address",
            hint="Give the agent's address, e.g. --agent http://127.0.0.1:9187",
        )
    return base


def _get(url: str, path: str, timeout: float) -> bytes:
    base = _base(url)
    try:
        with urllib.request.urlopen(f"{base}{path}", timeout=timeout) as reply:
            return bytes(reply.read(50_000_000))
    except OSError as exc:
        raise InputError(
            f"the agent at {base} did not answer ({type(exc).__name__})",
            hint="Is `smtpops agent` running there, and listening on that address?",
        ) from None


def fetch_events(url: str, *, timeout: float = 10.0) -> list[dict[str, Any]]:
    """The agent's own events (``/events``), one dict per JSON line."""
    found = []
    for line in _get(url, "/events", timeout).splitlines():
        try:
            item = json.loads(line)
        except ValueError:
            continue
        if isinstance(item, dict) and isinstance(item.get("event"), str):
            found.append(item)
    return found


def fetch_status(url: str, *, timeout: float = 3.0) -> dict[str, Any]:
    """The agent's ``/status`` document; InputError when it cannot be reached or read."""
    try:
        data = json.loads(_get(url, "/status", timeout))
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise InputError(f"the agent at {_base(url)} sent something that is not its status")
    return data


def _ago(at: object) -> str:
    if not isinstance(at, int | float):
        return "never"
    return f"{max(0, int(time.time() - at))} s ago"


def describe(
    env: str, git_active: tuple[str, ...], agent: dict[str, Any]
) -> tuple[list[str], bool]:
    """Lines for ``status`` about one environment, and whether the agent drifts from git."""
    item = (agent.get("environments") or {}).get(env)
    if not isinstance(item, dict):
        return ["agent:       does not watch this environment"], False
    lines = []
    config = item.get("config")
    commit = str(item.get("commit") or "")[:12]
    applied = ", ".join(sorted(item.get("applied") or {})) or "no target"
    lines.append(
        f"agent:       sees {config or 'no active config'} at commit {commit or '?'}; "
        f"applied to {applied} {_ago(item.get('applied_at'))}"
    )
    if item.get("refused"):
        lines.append(f"agent:       REFUSED: {item['refused']}")
    if item.get("error"):
        lines.append(f"agent:       apply failing: {item['error']}")
    probe = item.get("probe")
    if isinstance(probe, dict):
        outcome = "passed" if probe.get("passed") else f"FAILED ({probe.get('error')})"
        lines.append(
            f"agent probe: {outcome} {_ago(probe.get('at'))}, {probe.get('duration_ms')} ms"
        )
    if item.get("queue") is not None:
        lines.append(f"agent queue: {item['queue']} message(s) waiting")
    wanted = git_active[0] if len(git_active) == 1 else None
    drift = bool(config != wanted or item.get("refused"))
    if drift:
        lines.append(
            f"drift:       git here says {wanted or 'none'} is active; the agent runs "
            f"{config or 'none'}{' (refused)' if item.get('refused') else ''} — push or pull, "
            "or deploy with `smtpops deploy ENV/NAME`"
        )
    return lines, drift
