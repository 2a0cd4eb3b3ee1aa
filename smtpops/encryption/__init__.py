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

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from smtpops.oauth.credentials import OAuthCredentials
    from smtpops.secret import Secret

__all__ = [
    "decrypt_credentials",
    "decrypt_password",
    "reencrypt_for",
    "set_oauth",
    "set_password",
    "sops_binary",
]


def decrypt_credentials(path: str) -> Secret | OAuthCredentials:
    from smtpops.encryption.oauth_secrets import decrypt_credentials as run

    return run(path)


def set_oauth(path: str, parts: dict[str, Secret]) -> None:
    from smtpops.encryption.oauth_secrets import set_oauth as run

    run(path, parts)


def decrypt_password(path: str) -> Secret:
    from smtpops.encryption.password import decrypt_password as run

    return run(path)


def set_password(path: str, password: Secret) -> None:
    from smtpops.encryption.password import set_password as run

    run(path, password)


def reencrypt_for(path_src: str, path_dst: str) -> None:
    from smtpops.encryption.password import reencrypt_for as run

    run(path_src, path_dst)


def sops_binary() -> str:
    from smtpops.encryption.runner import sops_binary as find

    return find()
