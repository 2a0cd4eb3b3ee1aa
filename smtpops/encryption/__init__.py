"""Encrypted passwords with the real sops and age keys.

Public API (other services build on these names):

- :func:`decrypt_password` — the password of a config, decrypted in memory (MAC checked).
- :func:`decrypt_for_sending` — the same, only while the binding sealed with it matches the
  file's server fields (what test, deploy, render and the agent send).
- :func:`check_binding` — that comparison, for callers that decrypted some other way.
- :func:`set_password` — encrypt a password (and seal its binding) into a config, nothing
  else in the file changes.
- :func:`reencrypt_for` — carry a password to a config of another environment.
- :func:`sops_binary` — the sops executable smtpops runs.
"""

from __future__ import annotations

from smtpops.encryption.binding import check_binding
from smtpops.encryption.password import (
    decrypt_for_sending,
    decrypt_password,
    reencrypt_for,
    set_password,
)
from smtpops.encryption.runner import sops_binary

__all__ = [
    "check_binding",
    "decrypt_for_sending",
    "decrypt_password",
    "reencrypt_for",
    "set_password",
    "sops_binary",
]
