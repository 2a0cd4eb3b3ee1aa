"""Encrypted passwords with the real sops and age keys.

Public API (other services build on these names):

- :func:`decrypt_password` — the password of a config, decrypted in memory (MAC checked).
- :func:`set_password` — encrypt a password into a config, nothing else in the file changes.
- :func:`reencrypt_for` — carry a password to a config of another environment.
- :func:`decrypt_credentials` — what a config signs in with, decrypted in memory: its
  password, or its OAuth2 credentials (the oauth block's secret parts), either only while
  its seal (``password_binding``) matches the file.
- :func:`set_oauth` — encrypt the oauth block's secret parts into a config, sealed to its
  server and oauth fields.
- :func:`decrypt_for_sending` — the password for sending, only while its seal (the server
  fields it was set for, ``password_binding``) matches the file; :func:`decrypt_for_fields`
  the same against an edit not yet written; :func:`check_binding` the check itself.
- :func:`sops_binary` — the sops executable smtpops runs.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from smtpops.encryption.binding import check_binding
    from smtpops.encryption.oauth_secrets import decrypt_credentials, reencrypt_for, set_oauth
    from smtpops.encryption.password import (
        decrypt_for_fields,
        decrypt_for_sending,
        decrypt_password,
        set_password,
    )
    from smtpops.encryption.runner import sops_binary

__all__ = [
    "check_binding",
    "decrypt_credentials",
    "decrypt_for_fields",
    "decrypt_for_sending",
    "decrypt_password",
    "reencrypt_for",
    "set_oauth",
    "set_password",
    "sops_binary",
]

# The names above load their module on first use (PEP 562): `validate` imports this package
# for its keyless parts (leaks, scan, sops_config, sops_format) and never runs sops, so it
# does not pay for subprocess, tempfile and the password plumbing (~10 ms of start-up).
_HOME = {
    "check_binding": "binding",
    "decrypt_credentials": "oauth_secrets",
    "decrypt_for_fields": "password",
    "decrypt_for_sending": "password",
    "decrypt_password": "password",
    "reencrypt_for": "oauth_secrets",
    "set_oauth": "oauth_secrets",
    "set_password": "password",
    "sops_binary": "runner",
}


def __getattr__(name: str) -> Any:
    if name not in _HOME:
        raise AttributeError(f"module 'smtpops.encryption' has no attribute {name!r}")
    return getattr(importlib.import_module(f"smtpops.encryption.{_HOME[name]}"), name)
