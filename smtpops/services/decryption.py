"""What a config signs in with, decrypted in memory with the real sops (never written
anywhere): its password, or an OAuth2 config's secret parts."""

from __future__ import annotations

from collections.abc import Callable

from smtpops.encryption import decrypt_credentials, decrypt_password
from smtpops.oauth.credentials import OAuthCredentials
from smtpops.secret import Secret

__all__ = ["Credential", "Decrypt", "decrypt_credentials", "decrypt_password"]

Credential = Secret | OAuthCredentials
"""A password, or the oauth block's decrypted secret parts (XOAUTH2/OAUTHBEARER configs)."""

Decrypt = Callable[[str], Credential]
"""How a use case gets what a config signs in with from its path (the real one:
:func:`decrypt_credentials`)."""
