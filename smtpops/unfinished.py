"""The answers of a guided ``smtpops new`` that was stopped (Ctrl-C, end of input) before it
wrote the config, kept in ``.smtpops/new-draft.json`` so the next run can pick them up.

Only what the questions asked is kept: environment, provider, name, field values and provider
parameters. Never a password: the password is asked last, after the draft is complete, and is
not part of what is saved.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
from dataclasses import field
from typing import Any

from smtpops import atomic, localstate
from smtpops.records import record

FILE = "new-draft.json"
VERSION = 1
_NEVER = frozenset({"password", "sops"})


@record(kw_only=True)
class Answers:
    env: str | None = None
    provider: str | None = None
    name: str | None = None
    values: dict[str, Any] = field(default_factory=dict)
    params: dict[str, Any] = field(default_factory=dict)
    saved: str = ""

    @property
    def count(self) -> int:
        given = (self.env, self.provider, self.name)
        return sum(v is not None for v in given) + len(self.values) + len(self.params)

    def describe(self) -> str:
        where = "/".join(p for p in (self.env, self.name) if p) or "no name yet"
        provider = f" ({self.provider})" if self.provider else ""
        return f"{where}{provider}, {self.count} answer(s), saved {self.saved}"


def path(root: str) -> str:
    return os.path.join(root, localstate.TOP, FILE)


def _plain(mapping: dict[str, Any]) -> dict[str, Any]:
    return {
        str(k): v
        for k, v in mapping.items()
        if k not in _NEVER and isinstance(v, (str, int, float, bool))
    }


def save(root: str, answers: Answers) -> str:
    """Write the answers (atomically, git-ignored); returns the file's path."""
    localstate.state_dir(root)
    record = {
        "version": VERSION,
        "saved": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        "env": answers.env,
        "provider": answers.provider,
        "name": answers.name,
        "values": _plain(answers.values),
        "params": _plain(answers.params),
    }
    target = path(root)
    atomic.write_text(target, json.dumps(record, indent=2, ensure_ascii=False) + "\n", mode=0o600)
    return target


def load(root: str) -> Answers | None:
    """The saved answers, or None when there are none (or they cannot be read)."""
    try:
        with open(path(root), encoding="utf-8") as handle:
            record = json.load(handle)
    except (OSError, ValueError):
        return None
    if not isinstance(record, dict) or record.get("version") != VERSION:
        return None

    def text(key: str) -> str | None:
        value = record.get(key)
        return value if isinstance(value, str) and value else None

    def mapping(key: str) -> dict[str, Any]:
        value = record.get(key)
        return _plain(value) if isinstance(value, dict) else {}

    return Answers(
        env=text("env"),
        provider=text("provider"),
        name=text("name"),
        values=mapping("values"),
        params=mapping("params"),
        saved=text("saved") or "?",
    )


def discard(root: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path(root))
