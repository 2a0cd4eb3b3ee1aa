"""Pins: an environment held on a config after ``rollback``, until ``unpin``.

Pins live in the repository (``configs/.pins.yaml``), not on one machine: a pin must stop
the CI deploy that runs on the next merge just as it stops a deploy on a laptop, and a pull
request that removes a pin shows up in review. The file is read and written only here.
"""

from __future__ import annotations

import os

import yaml

from smtpops import yamlio
from smtpops.errors import InputError
from smtpops.records import record

PINS_FILE = ".pins.yaml"
HEADER = (
    "# Environments held on a config by `smtpops rollback`. Deploys to a pinned environment\n"
    "# are refused until `smtpops unpin ENV`. Written by smtpops; review changes like code.\n"
)


@record(frozen=True, kw_only=True)
class Pin:
    environment: str
    config: str
    by: str
    at: str
    reason: str


def path(configs_dir: str) -> str:
    return os.path.join(configs_dir, PINS_FILE)


def parse(text: str | None, where: str = PINS_FILE) -> dict[str, Pin]:
    if not text or not text.strip():
        return {}
    try:
        data = yamlio.loads(text).data
    except yamlio.LoadError as exc:
        raise InputError(
            f"{where}: {exc.message}", hint="Fix the file by hand, or restore it with git."
        ) from None
    if data is None:
        return {}
    if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
        raise InputError(
            f"{where}: expected a mapping of environment → pin",
            hint="Restore the file with git, or delete it to drop every pin.",
        )
    return {
        str(env): Pin(
            environment=str(env),
            config=str(v.get("config", "")),
            by=str(v.get("by", "")),
            at=str(v.get("at", "")),
            reason=str(v.get("reason", "")),
        )
        for env, v in data.items()
    }


def load(configs_dir: str) -> dict[str, Pin]:
    try:
        with open(path(configs_dir), encoding="utf-8") as handle:
            return parse(handle.read(), path(configs_dir))
    except FileNotFoundError:
        return {}


def render(pins: dict[str, Pin]) -> bytes | None:
    """The file's new content; None when no pin is left (the file is removed)."""
    if not pins:
        return None

    data = {
        env: {"config": p.config, "by": p.by, "at": p.at, "reason": p.reason}
        for env, p in sorted(pins.items())
    }
    return (HEADER + yaml.safe_dump(data, sort_keys=False, allow_unicode=True)).encode("utf-8")
