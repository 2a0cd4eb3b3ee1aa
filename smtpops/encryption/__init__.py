"""Encrypted passwords with the real sops and age keys.

Public API (other services build on these names):

- :func:`decrypt_password` — the password of a config, decrypted in memory (MAC checked).
- :func:`set_password` — encrypt a password into a config, nothing else in the file changes.
- :func:`reencrypt_for` — carry a password to a config of another environment.
- :func:`sops_binary` — the sops executable smtpops runs.
"""

from __future__ import annotations

from smtpops.encryption.password import decrypt_password, reencrypt_for, set_password
from smtpops.encryption.runner import sops_binary

__all__ = ["decrypt_password", "reencrypt_for", "set_password", "sops_binary"]
