"""Encrypted passwords with the real sops and age keys.

Public API (other services build on these names):

- :func:`decrypt_password` — the password of a config, decrypted in memory (MAC checked).
- :func:`set_password` — encrypt a password into a config, nothing else in the file changes.
- :func:`reencrypt_for` — carry a password to a config of another environment.
- :func:`decrypt_credentials` — what a config signs in with, decrypted in memory: its
  password, or its OAuth2 credentials (the oauth block's secret parts).
- :func:`set_oauth` — encrypt the oauth block's secret parts into a config.
- :func:`sops_binary` — the sops executable smtpops runs.
"""

from __future__ import annotations

from smtpops.encryption.oauth_secrets import decrypt_credentials, reencrypt_for, set_oauth
from smtpops.encryption.password import decrypt_password, set_password
from smtpops.encryption.runner import sops_binary

__all__ = [
    "decrypt_credentials",
    "decrypt_password",
    "reencrypt_for",
    "set_oauth",
    "set_password",
    "sops_binary",
]
