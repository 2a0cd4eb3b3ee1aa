"""The content digest of a config as delivered: over its non-secret settings, the password's
SOPS ciphertext and the CA certificate, never over a plaintext.

The same config gives the same digest in every format, so one value names what a runtime
runs: it is printed by ``render``, embedded in the artefacts, recorded by ``apply`` and in
the deploy commit's ``Smtpops-Digest`` trailer. A new password (new ciphertext) is a new
digest.
"""

from __future__ import annotations

import hashlib
import json

from smtpops.delivery.source import Source

VERSION = 1


def digest(source: Source) -> str:
    payload = {
        "v": VERSION,
        "environment": source.environment,
        "config": source.name,
        "settings": source.settings,
        "password_ciphertext": source.ciphertext,
        "ca_sha256": hashlib.sha256(source.ca_pem).hexdigest() if source.ca_pem else None,
    }
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def short(value: str) -> str:
    """The first 12 hex digits, for names and messages."""
    return value.removeprefix("sha256:")[:12]
