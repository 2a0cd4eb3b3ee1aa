"""Which fields of a config hold secrets: the password, and the secret parts of the oauth block.

The one list every keyless check, the splice and re-encryption read, so a new secret field is
added here (and in ``sops_config.ENCRYPTED_KEYS``) and nowhere else.
"""

from __future__ import annotations

from typing import Any

from smtpops.encryption.sops_format import looks_encrypted
from smtpops.oauth.flows import SECRET_FIELDS as OAUTH_SECRETS

PASSWORD = ("password",)
OAUTH = "oauth"
SecretPath = tuple[str, ...]


def secret_values(raw: Any) -> list[tuple[SecretPath, Any]]:
    """(path, value) of every secret field present in the mapping ``raw``."""
    if not isinstance(raw, dict):
        return []
    found: list[tuple[SecretPath, Any]] = []
    if "password" in raw:
        found.append((PASSWORD, raw["password"]))
    block = raw.get(OAUTH)
    if isinstance(block, dict):
        found += [((OAUTH, name), block[name]) for name in OAUTH_SECRETS if name in block]
    return found


def encrypted_paths(raw: Any) -> list[SecretPath]:
    """The secret fields whose value is an ENC[...] value written by sops."""
    return [path for path, value in secret_values(raw) if looks_encrypted(value)]


def has_encrypted_secret(raw: Any) -> bool:
    """Whether the config is a sops file: some secret field holds an ENC[...] value."""
    return bool(encrypted_paths(raw))


def label(path: SecretPath) -> str:
    """How messages name a secret field: 'password', 'oauth.client_secret'."""
    return ".".join(path)
