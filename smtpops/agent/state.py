"""What the agent knows per environment: what it applied (commit, config, digest per
target), what it refused and why, the last probe. Saved as ``state.json`` in its work
folder (atomic write) so a restart neither re-applies nor forgets; served as ``/status``."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, field
from typing import Any

from smtpops.atomic import write_bytes
from smtpops.records import record


@record()
class Probe:
    passed: bool
    at: float
    duration_ms: int
    failed_step: str | None = None
    error: str | None = None
    message: str | None = None
    certificate_days_left: int | None = None


@record()
class EnvState:
    environment: str
    commit: str | None = None  # the git commit last reconciled
    config: str | None = None  # ENV/NAME git says is active (None: none)
    digest: str | None = None  # its digest
    applied: dict[str, str] = field(default_factory=dict)  # target -> digest applied
    token_expires: dict[str, float] = field(default_factory=dict)  # target -> its token's expiry
    applied_at: float | None = None
    refused: str | None = None  # why git's active config is not delivered
    error: str | None = None  # the last apply error
    queue: int | None = None
    probe: Probe | None = None


class State:
    def __init__(self, path: str) -> None:
        self.path = path
        self.envs: dict[str, EnvState] = {}
        self.reconciled_at: float | None = None
        self.commit: str | None = None
        self._load()

    def env(self, name: str) -> EnvState:
        return self.envs.setdefault(name, EnvState(environment=name))

    def _load(self) -> None:
        try:
            with open(self.path, encoding="utf-8") as handle:
                raw = json.load(handle)
            for name, body in raw.get("environments", {}).items():
                probe = body.pop("probe", None)
                item = EnvState(**body)
                item.probe = Probe(**probe) if probe else None
                self.envs[name] = item
            self.commit = raw.get("commit")
        except (OSError, ValueError, TypeError, AttributeError):
            self.envs = {}  # a missing or damaged state only means: apply again

    def to_dict(self) -> dict[str, Any]:
        return {
            "commit": self.commit,
            "reconciled_at": self.reconciled_at,
            "environments": {name: asdict(item) for name, item in sorted(self.envs.items())},
        }

    def save(self) -> None:
        os.makedirs(os.path.dirname(self.path), exist_ok=True)
        write_bytes(self.path, json.dumps(self.to_dict(), indent=2).encode())
