"""What a connection test produces: one StepResult per phase, gathered in a ProbeReport.

Plain immutable records; ``to_dict`` gives the JSON shape of ``smtpops test --format json``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import field
from typing import Any

from smtpops.records import record

STEP_TITLES: dict[str, str] = {
    "dns": "DNS lookup",
    "connect": "TCP connect",
    "greeting": "Server greeting",
    "ehlo": "EHLO",
    "ehlo_tls": "EHLO after TLS",
    "tls": "TLS",
    "certificate": "Certificate",
    "token": "Token",
    "auth": "Authentication",
    "envelope": "Envelope dry run",
    "send": "Test email",
    "quit": "QUIT",
}


@record(frozen=True, kw_only=True)
class StepResult:
    """One phase of the test. ``error`` is the failure class (e.g. ``auth.failed``)."""

    name: str
    ok: bool
    duration_ms: int
    detail: str = ""
    error: str | None = None
    message: str | None = None  # what is wrong, in plain words (failed steps)
    hint: str | None = None  # what to change (failed steps)
    skipped: bool = False
    warnings: tuple[str, ...] = ()
    data: Mapping[str, Any] = field(default_factory=dict)

    @property
    def title(self) -> str:
        return STEP_TITLES.get(self.name, self.name)

    @property
    def status(self) -> str:
        if self.skipped:
            return "skipped"
        return "passed" if self.ok else "failed"

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "title": self.title,
            "status": self.status,
            "ok": self.ok,
            "duration_ms": self.duration_ms,
            "detail": self.detail,
            "error": self.error,
            "message": self.message,
            "hint": self.hint,
            "warnings": list(self.warnings),
            "data": dict(self.data),
        }


@record(frozen=True, kw_only=True)
class ProbeReport:
    """The whole test: passed or not, every step, and one sentence saying what to change."""

    passed: bool
    steps: tuple[StepResult, ...]
    summary: str
    facts: Mapping[str, str]
    config: str = ""
    environment: str | None = None
    test_id: str = ""
    transcript: tuple[str, ...] = ()

    @property
    def failure(self) -> StepResult | None:
        return next((s for s in self.steps if not s.ok and not s.skipped), None)

    @property
    def warnings(self) -> tuple[str, ...]:
        return tuple(w for s in self.steps for w in s.warnings)

    @property
    def exit_code(self) -> int:
        return 0 if self.passed else 1

    def to_dict(self) -> dict[str, Any]:
        failure = self.failure
        return {
            "config": self.config,
            "environment": self.environment,
            "test_id": self.test_id,
            "passed": self.passed,
            "summary": self.summary,
            "failure": failure.to_dict() if failure else None,
            "facts": dict(self.facts),
            "warnings": list(self.warnings),
            "steps": [s.to_dict() for s in self.steps],
            "transcript": list(self.transcript),
        }


@record(frozen=True, kw_only=True)
class ProbeOptions:
    """How to run a test, beyond what the config says.

    ``wait_timeout`` overrides the config's per-command timeout (tests use fractions of a
    second); ``base_dir`` is where a relative ``ca_file`` is found (the repository root).
    """

    nameservers: tuple[str, ...] = ()  # "IP" or "IP:PORT"; empty = hosts file, then system DNS
    total_timeout: float = 60.0
    wait_timeout: float | None = None
    base_dir: str | None = None
    hosts_file: str = "/etc/hosts"
    alternative_ports: tuple[int, ...] = (587, 465, 2525)
    alternative_timeout: float = 2.0
    dry_run_recipient: str | None = None  # default: the sender itself
    log_dir: str | None = None  # where test-log.jsonl and events.jsonl go; None: no log
    label: str | None = None  # how logs and reports name the config (default: its name)
    on_step: Callable[[StepResult], None] | None = None  # told of each step as it ends
