"""Gather the tracking events: from git history (config and deploy events), from the JSON-lines
event logs under ``.smtpops/`` (connection tests, the web page) and the agent's log (delivery).

An event is a flat dict: ``event`` (a name from :data:`~smtpops.events.catalog.EVENTS`),
``timestamp`` (ISO 8601, UTC), then the spec's properties. Never a secret: the password is
only ever "changed", and the logs hold no server text.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

from smtpops.gitops import audit
from smtpops.gitops.history import config_mapping
from smtpops.gitops.workspace import Workspace
from smtpops.review import config_key
from smtpops.review.fields import SECURITY_FIELDS, changes

Event = dict[str, Any]

AUTH_ERRORS = (
    "auth.failed",
    "auth.rejected",
    "auth.app_password",
    "auth.smtp_auth_disabled",
    "auth.too_many",
    "auth.garbage",
)
TLS_PREFIXES = ("tls.", "certificate.")


def parse_time(value: str) -> datetime:
    """An ISO 8601 time (``Z`` allowed) or a date, as an aware UTC datetime."""
    text = value.strip().replace("Z", "+00:00")
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _config_props(label: str, env: str, data: Mapping[str, Any], user: str) -> Event:
    return {
        "configuration_id": label,
        "config_type": env,
        "provider": data.get("provider"),
        "security_protocol": data.get("tls"),
        "user_id": user,
    }


def _commit_files(ws: Workspace, since: str | None) -> Iterator[tuple[str, list[tuple[str, str]]]]:
    """(sha, [(status, rel)]) for each commit that touched configs/, oldest first."""
    args = ["git", "log", "--reverse", "--no-renames", "--name-status", "--format=%x00%H"]
    if since:
        args.append(f"--since={since}")
    out = ws.repo.raw.git.execute([*args, "--", ws.configs_rel])
    for block in out.split("\x00")[1:]:
        lines = block.strip().splitlines()
        if not lines:
            continue
        files = [tuple(line.split("\t", 1)) for line in lines[1:] if "\t" in line]
        yield lines[0].strip(), [(s, r) for s, r in files]


def from_git(ws: Workspace, since: str | None = None) -> Iterator[Event]:
    """Config, security, approval and deployment events, one commit at a time."""
    for sha, files in _commit_files(ws, since):
        entry = audit.entry(ws.repo.raw.commit(sha))
        parent = entry.parents[0] if entry.parents else None
        base = {"timestamp": entry.when.replace("+00:00", "Z"), "commit": sha}
        for status, rel in files:
            key = config_key(rel, ws.configs_rel)
            if key is None:
                continue
            env, name = key
            label = f"{env}/{name}"
            old = config_mapping(ws.repo.show(parent, rel)) if parent else None
            new = config_mapping(ws.repo.show(sha, rel))
            if new is None:
                continue  # removed
            props = _config_props(label, env, new, entry.actor)
            fields = list(changes(old, new))
            if old is None or status.startswith("A"):
                yield {"event": "smtp_config_created", **base, **props}
            elif {f.field for f in fields} - {"active"} or entry.action not in audit.ACTIVATING:
                # a deploy only switching `active` is an activation, not a modification
                names = [f.field for f in fields]
                yield {"event": "smtp_config_modified", **base, **props, "changed_fields": names}
            yield from _field_events(base, label, old or {}, new)
            sensitive = [f.field for f in fields if f.field in SECURITY_FIELDS and old]
            if sensitive:
                yield {
                    "event": "it_approval_requested",
                    **base,
                    "configuration_id": label,
                    "approval_type": "security-sensitive change",
                    "changed_fields": sensitive,
                }
        yield from _deploy_events(base, entry, ws)


def _field_events(
    base: Event, label: str, old: Mapping[str, Any], new: Mapping[str, Any]
) -> Iterator[Event]:
    if new.get("tls") in ("STARTTLS", "SSL/TLS") and old.get("tls") != new.get("tls"):
        yield {
            "event": "tls_enabled",
            **base,
            "configuration_id": label,
            "encryption_type": new["tls"],
        }
    if new.get("auth_protocol") and old.get("auth_protocol") != new.get("auth_protocol"):
        yield {
            "event": "auth_protocol_selected",
            **base,
            "configuration_id": label,
            "auth_method": new["auth_protocol"],
        }
    if new.get("verify_certificate") is True and old.get("verify_certificate") is not True:
        yield {
            "event": "certificate_validation_enabled",
            **base,
            "configuration_id": label,
            "validation_status": "enabled",
        }


def _deploy_events(base: Event, entry: audit.Entry, ws: Workspace) -> Iterator[Event]:
    if entry.action not in audit.ACTIVATING or not entry.config:
        return
    props = {
        "configuration_id": entry.config,
        "config_version": entry.sha,
        "deployment_method": entry.action,
        "user_id": entry.actor,
    }
    if entry.action == "rollback":
        yield {
            "event": "config_rollback_initiated",
            **base,
            **props,
            "rollback_reason": entry.subject,
        }
    if entry.test_passed:
        env, _, _name = entry.config.partition("/")
        data = (
            config_mapping(ws.repo.show(entry.sha, f"{ws.configs_rel}/{entry.config}.yaml")) or {}
        )
        yield {
            "event": "smtp_config_activated",
            **base,
            **_config_props(entry.config, env, data, entry.actor),
        }
        yield {"event": "config_deployment_success", **base, **props}


def read_log(path: str) -> Iterator[Event]:
    """The records of one JSON-lines event log; unreadable lines are skipped."""
    try:
        handle = open(path, encoding="utf-8")  # noqa: SIM115 - closed below
    except OSError:
        return
    with handle:
        for line in handle:
            try:
                record = json.loads(line)
            except ValueError:
                continue
            if isinstance(record, dict) and isinstance(record.get("event"), str):
                yield from _normalise(record)


def _normalise(record: Event) -> Iterator[Event]:
    """Log records in the spec's property names, plus the events derived from a failure."""
    name = record["event"]
    if not name.startswith("connection_test_"):
        yield record
        return
    out: Event = {"event": name, "timestamp": record.get("timestamp")}
    out["configuration_id"] = record.get("config")
    if "environment" in record:
        out["config_type"] = record.get("environment")
    if name != "connection_test_initiated":
        out["test_duration"] = record.get("duration_ms")
        out["error_type"] = record.get("error")
        out["retry_attempts"] = record.get("retry_attempts", 0)
    yield out
    error = record.get("error") or ""
    if name != "connection_test_failure" or not error:
        return
    common = {"timestamp": out["timestamp"], "configuration_id": out["configuration_id"]}
    if error.endswith(".timeout") or error == "greeting.slow":
        yield {"event": "timeout_events", **common, "timeout_duration": record.get("duration_ms")}
    if error in AUTH_ERRORS:
        yield {"event": "authentication_failure", **common, "failure_type": error}
    if error.startswith(TLS_PREFIXES):
        yield {"event": "tls_handshake_failure", **common, "failure_type": error}


def merged(
    streams: Iterable[Iterable[Event]], since: datetime | None = None, names: tuple[str, ...] = ()
) -> list[Event]:
    """All events of all streams in time order, from ``since`` on, limited to ``names``."""
    found = []
    for stream in streams:
        for item in stream:
            try:
                when = parse_time(str(item.get("timestamp")))
            except ValueError:
                continue
            if since and when < since:
                continue
            if names and item["event"] not in names:
                continue
            found.append((when, item))
    found.sort(key=lambda pair: pair[0])
    return [item for _, item in found]


def log_paths(root: str) -> list[str]:
    """The event log of the repository at ``root``: connection tests and the web page."""
    return [os.path.join(root, ".smtpops", "events.jsonl")]
