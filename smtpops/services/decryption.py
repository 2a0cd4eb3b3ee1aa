"""What a config signs in with, decrypted in memory with the real sops (never written
anywhere): its password, or an OAuth2 config's secret parts.

A password sent to a server comes from :func:`decrypt_for_sending` (or
:func:`decrypt_credentials`, which uses it): decrypted, and only while the binding sealed
with it matches the file's server fields (host, port, tls, CA, username); otherwise it
raises, naming the field that changed and the ``smtpops secrets reseal`` that seals it
again. An OAuth2 config's secret parts come from :func:`decrypt_credentials` the same way,
sealed also to the oauth fields that decide where a token is obtained (flow, tenant,
client_id, token_url, authority, scope, the token endpoint's CA). Render and the agent call
it too (or :func:`check_binding` when they decrypted some other way).
"""

from __future__ import annotations

from collections.abc import Callable

from smtpops.encryption import (
    check_binding,
    decrypt_credentials,
    decrypt_for_fields,
    decrypt_for_sending,
    decrypt_password,
)
from smtpops.oauth.credentials import OAuthCredentials
from smtpops.secret import Secret

__all__ = [
    "Credential",
    "Decrypt",
    "check_binding",
    "decrypt_credentials",
    "decrypt_for_fields",
    "decrypt_for_sending",
    "decrypt_password",
]

Credential = Secret | OAuthCredentials
"""A password, or the oauth block's decrypted secret parts (XOAUTH2/OAUTHBEARER configs)."""

Decrypt = Callable[[str], Credential]
"""How a use case gets what a config signs in with from its path (the real one:
:func:`decrypt_credentials`, which checks the secret's seal)."""
