"""The password of a config, decrypted in memory with the real sops (never written anywhere)."""

from __future__ import annotations

from collections.abc import Callable

from smtpops.encryption import decrypt_password
from smtpops.secret import Secret

__all__ = ["Decrypt", "decrypt_password"]

Decrypt = Callable[[str], Secret]
"""How a use case gets a config's password from its path (the real one: :func:`decrypt_password`)."""
