"""``secrets reseal``: seal a password again to the server fields its file has now.

A key holder decrypts the password (sops checks the MAC), sees what changed since it was
sealed, and re-encrypts it with a new binding through :func:`password.set_password` (the
real sops, only the password, its binding and the sops block change).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from smtpops import yamlio
from smtpops.encryption import binding, password
from smtpops.errors import InputError


@dataclass(frozen=True, slots=True, kw_only=True)
class Plan:
    sealed: bool  # the file had a readable binding
    changes: tuple[binding.Change, ...]
    now: dict[str, Any]


def _data(path: str) -> dict[str, Any]:
    try:
        data = yamlio.load_path(path).data
    except (OSError, yamlio.LoadError) as exc:
        raise InputError(f"{path}: cannot be read ({exc})") from None
    return data if isinstance(data, dict) else {}


def plan(path: str) -> Plan:
    """What a reseal of ``path`` would change (decrypts, so it needs a key)."""
    _, sealed_text = password.unseal(path)
    now = binding.record(_data(path), binding.repo_root(path))
    sealed = binding.loads(sealed_text)
    found = binding.changes(sealed, now) if sealed is not None else []
    return Plan(sealed=sealed is not None, changes=tuple(found), now=now)


def describe(now: dict[str, Any]) -> list[str]:
    shown = {k: v for k, v in now.items() if k != "ca_sha256"}
    return [f"{k}: {'(not set)' if v is None else v}" for k, v in shown.items()]


def apply(path: str) -> None:
    """Re-encrypt the password of ``path`` with a binding to its current fields."""
    secret, _ = password.unseal(path)
    password.set_password(path, secret)
