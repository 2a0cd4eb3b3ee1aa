"""``secrets reseal``: seal a password (or an OAuth2 config's secrets) again to the fields its
file has now.

A key holder decrypts the secret (sops checks the MAC), sees what changed since it was
sealed, and re-encrypts it with a new binding through :func:`password.set_password` or
:func:`oauth_secrets.set_oauth` (the real sops; only the secret, its binding and the sops
block change).
"""

from __future__ import annotations

from typing import Any

from smtpops import yamlio
from smtpops.encryption import binding, oauth_secrets
from smtpops.errors import InputError
from smtpops.records import record


@record(frozen=True, kw_only=True)
class Plan:
    sealed: bool  # the file had a readable binding
    changes: tuple[binding.Change, ...]
    now: dict[str, Any]
    what: str  # "the password", "the OAuth2 secrets"


def _data(path: str) -> dict[str, Any]:
    try:
        data = yamlio.load_path(path).data
    except (OSError, yamlio.LoadError) as exc:
        raise InputError(f"{path}: cannot be read ({exc})") from None
    return data if isinstance(data, dict) else {}


def plan(path: str) -> Plan:
    """What a reseal of ``path`` would change (decrypts, so it needs a key)."""
    _, sealed_text = oauth_secrets.unseal_credentials(path)
    data = _data(path)
    now = binding.record(data, binding.repo_root(path))
    sealed = binding.loads(sealed_text)
    found = binding.changes(sealed, now) if sealed is not None else []
    return Plan(
        sealed=sealed is not None,
        changes=tuple(found),
        now=now,
        what=binding.secret_words(data),
    )


def describe(now: dict[str, Any]) -> list[str]:
    shown = {k: v for k, v in now.items() if k not in binding.DIGESTS}
    return [f"{k}: {'(not set)' if v is None else v}" for k, v in shown.items()]


def apply(path: str) -> None:
    """Re-encrypt the secret of ``path`` with a binding to its current fields."""
    oauth_secrets.reseal(path)
