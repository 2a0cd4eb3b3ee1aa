"""Field-by-field changes between two versions of a config, in words a reviewer reads.

The password is never shown in any form: only "changed" (its ciphertext differs) — not the
ciphertext, not a hash, not a length. Changes of the SOPS recipients are shown, because who
can decrypt a password is a security question; the rest of the ``sops`` block is not.
"""

from __future__ import annotations

import json
from typing import Any

from smtpops.model import FIELDS, METADATA_FIELDS
from smtpops.oauth.flows import SECRET_FIELDS as OAUTH_SECRETS
from smtpops.records import record
from smtpops.schema import SECRET_FIELDS
from smtpops.secret import CREDENTIAL_NAME, Secret, plaintext_secrets

SECURITY_FIELDS = (
    "host",
    "port",
    "tls",
    "verify_certificate",
    "ca_file",
    "auth_protocol",
    "username",
    "password",
    "provider",
    "recipients",
)
MAX_VALUE = 120
# unknown fields whose name suggests a credential are never shown (a misspelt "pasword:")
_HIDDEN = CREDENTIAL_NAME


@record(frozen=True, kw_only=True)
class FieldChange:
    field: str
    old: str | None  # None: not set
    new: str | None
    security: bool
    masked: bool = False  # its value holds a plain-text secret (an alias or copy of it)

    @property
    def hidden(self) -> bool:
        if self.masked:
            return True
        if self.field.startswith("oauth."):
            return _secret(self.field)
        return self.field in SECRET_FIELDS or (
            self.field not in FIELDS
            and self.field != "recipients"
            and bool(_HIDDEN.search(self.field))
        )

    def describe(self) -> str:
        if self.hidden:
            if self.old is None:
                return f"{self.field}: set"
            return f"{self.field}: removed" if self.new is None else f"{self.field}: changed"
        if self.field == "recipients":
            bits = [f"added {self.new}"] if self.new else []
            bits += [f"removed {self.old}"] if self.old else []
            return "who can decrypt the password: " + "; ".join(bits)
        return f"{self.field}: {self.old if self.old is not None else '(not set)'} → " + (
            self.new if self.new is not None else "(not set)"
        )

    def to_dict(self) -> dict[str, Any]:
        if self.hidden:
            return {
                "field": self.field,
                "change": self.describe().rsplit(": ", 1)[1],
                "security": self.security,
            }
        return {"field": self.field, "old": self.old, "new": self.new, "security": self.security}


def show(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    text = " ".join(text.split()) if "\n" in text else text
    return text if len(text) <= MAX_VALUE else text[: MAX_VALUE - 1] + "…"


def recipients(data: dict[str, Any]) -> list[str]:
    sops = data.get("sops")
    if not isinstance(sops, dict):
        return []
    found = []
    for kind in ("age", "pgp", "kms", "gcp_kms", "azure_kv", "hc_vault"):
        for item in sops.get(kind) or []:
            if isinstance(item, dict):
                key = (
                    item.get("recipient")
                    or item.get("fp")
                    or item.get("arn")
                    or item.get("resource_id")
                    or item.get("vault_address")
                )
                if key:
                    found.append(f"{kind}:{key}")
    return sorted(found)


def _flatten_oauth(data: dict[str, Any]) -> dict[str, Any]:
    """The oauth block as ``oauth.<field>`` entries, so a review shows which part changed
    (tenant, client ID, endpoint) and only "changed" for its secret parts."""
    block = data.get("oauth")
    if not isinstance(block, dict):
        return data
    flat = {k: v for k, v in data.items() if k != "oauth"}
    flat |= {f"oauth.{k}": v for k, v in block.items()}
    return flat


def _secret(key: str) -> bool:
    if key.startswith("oauth."):
        return key[len("oauth.") :] in OAUTH_SECRETS or bool(_HIDDEN.search(key[6:]))
    return key in SECRET_FIELDS or (key not in FIELDS and bool(_HIDDEN.search(key)))


def _holds_secret(value: Any, secrets: tuple[Secret, ...]) -> bool:
    """Whether ``value`` (at any depth) contains one of the plain-text ``secrets``."""
    if isinstance(value, dict):
        return any(_holds_secret(v, secrets) for v in (*value.keys(), *value.values()))
    if isinstance(value, list):
        return any(_holds_secret(v, secrets) for v in value)
    return value is not None and any(s.reveal() in str(value) for s in secrets)


def changes(old: dict[str, Any] | None, new: dict[str, Any] | None) -> list[FieldChange]:
    """What differs between two parsed configs (``None`` = the file does not exist)."""
    secrets = (*plaintext_secrets(old or {}), *plaintext_secrets(new or {}))
    old, new = _flatten_oauth(old or {}), _flatten_oauth(new or {})
    keys = [f for f in FIELDS if f in old or f in new]
    keys += sorted(str(k) for k in {*old, *new} if k not in FIELDS and k not in METADATA_FIELDS)
    out = []
    for key in keys:
        a, b = old.get(key), new.get(key)
        if a == b:
            continue
        secret_like = _holds_secret(a, secrets) or _holds_secret(b, secrets)
        if _secret(key) or secret_like:
            out.append(
                FieldChange(
                    field=key,
                    old=None if a is None else "…",
                    new=None if b is None else "…",
                    security=True,
                    masked=secret_like,
                )
            )
            continue
        out.append(
            FieldChange(
                field=key,
                old=None if a is None else show(a),
                new=None if b is None else show(b),
                security=key in SECURITY_FIELDS or key.startswith("oauth."),
            )
        )
    before, after = recipients(old), recipients(new)
    if before != after and (before or after):
        added = [r for r in after if r not in before]
        removed = [r for r in before if r not in after]
        out.append(
            FieldChange(
                field="recipients",
                old=", ".join(removed) if removed else None,
                new=", ".join(added) if added else None,
                security=True,
            )
        )
    return out
