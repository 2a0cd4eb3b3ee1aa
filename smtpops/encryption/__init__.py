"""Encrypted passwords with the real sops and age keys.

Public API (other services build on these names):

- :func:`decrypt_password` — the password of a config, decrypted in memory (MAC checked).
- :func:`decrypt_for_sending` — the same, only when the binding sealed with it matches the
  file's server fields (what test, deploy, render and the agent send).
- :func:`check_binding` — that comparison, for callers that decrypted some other way.
- :func:`set_password` — encrypt a password into a config, nothing else in the file changes.
- :func:`reencrypt_for` — carry a password to a config of another environment.
- :func:`sops_binary` — the sops executable smtpops runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from smtpops.secret import Secret

__all__ = [
    "check_binding",
    "decrypt_for_sending",
    "decrypt_password",
    "reencrypt_for",
    "set_password",
    "sops_binary",
]


def decrypt_password(path: str) -> Secret:
    from smtpops.encryption.password import decrypt_password as run

    return run(path)


def decrypt_for_sending(path: str) -> Secret:
    from smtpops.encryption.password import decrypt_for_sending as run

    return run(path)


def check_binding(path: str, data: dict[str, Any], sealed: str | None) -> None:
    from smtpops.encryption.binding import check_binding as run

    run(path, data, sealed)


def set_password(path: str, password: Secret) -> None:
    from smtpops.encryption.password import set_password as run

    run(path, password)


def reencrypt_for(path_src: str, path_dst: str) -> None:
    from smtpops.encryption.password import reencrypt_for as run

    run(path_src, path_dst)


def sops_binary() -> str:
    from smtpops.encryption.runner import sops_binary as find

    return find()
