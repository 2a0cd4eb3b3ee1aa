"""Every test attempt as one JSON line in ``.smtpops/test-log.jsonl`` (gitignored), and the
spec's tracking events (``connection_test_initiated``, ``connection_test_success``,
``connection_test_failure``) as lines in ``.smtpops/events.jsonl``.

Only facts go in: config, environment, outcome, error class, step durations. No detail text
from the server and never a secret.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from typing import Any

from smtpops.localstate import make_dir
from smtpops.probe.result import ProbeReport

TEST_LOG = "test-log.jsonl"
EVENTS = "events.jsonl"


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _append(directory: str | None, name: str, record: dict[str, Any]) -> None:
    if not directory:
        return
    try:
        make_dir(directory)
        with open(os.path.join(directory, name), "a", encoding="utf-8") as handle:
            handle.write(json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n")
    except OSError:
        pass  # a log that cannot be written must not turn a passed test into a crash


def event(directory: str | None, name: str, **properties: Any) -> None:
    _append(directory, EVENTS, {"event": name, "timestamp": _now(), **properties})


def attempt(directory: str | None, report: ProbeReport) -> None:
    failure = report.failure
    record = {
        "timestamp": _now(),
        "test_id": report.test_id,
        "config": report.config,
        "environment": report.environment,
        "host": report.facts.get("host"),
        "port": report.facts.get("port"),
        "outcome": "passed" if report.passed else "failed",
        "error": failure.error if failure else None,
        "failed_step": failure.name if failure else None,
        "duration_ms": int(report.facts.get("duration_ms") or 0),
        "durations_ms": {s.name: s.duration_ms for s in report.steps},
    }
    _append(directory, TEST_LOG, record)
    name = "connection_test_success" if report.passed else "connection_test_failure"
    event(
        directory,
        name,
        config=report.config,
        environment=report.environment,
        test_id=report.test_id,
        error=record["error"],
        duration_ms=record["duration_ms"],
    )
