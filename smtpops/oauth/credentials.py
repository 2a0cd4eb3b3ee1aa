"""The decrypted secret parts of a config's oauth block, held in memory, never printed.

Everything a token request needs that is secret lives here; whatever prints a message about
a token (the connection test, ``smtpops token`` errors) scrubs it through :meth:`scrub`, which
also masks every access token obtained with these credentials.
"""

from __future__ import annotations

import json
from dataclasses import field

from smtpops.model import OAuthSettings
from smtpops.records import record
from smtpops.secret import MASK, Secret


@record(frozen=True, kw_only=True)
class OAuthCredentials:
    settings: OAuthSettings
    parts: dict[str, Secret]  # client_secret, private_key, refresh_token, service_account_key
    issued: list[Secret] = field(default_factory=list)  # access tokens, for scrubbing

    def part(self, name: str) -> Secret | None:
        value = self.parts.get(name)
        return value if value else None

    def remember(self, token: Secret) -> None:
        self.issued.append(token)

    def scrub(self, text: str) -> str:
        """``text`` with every secret part, the private key inside a JSON key, and every access
        token masked."""
        for secret in (*self.parts.values(), *self.issued):
            text = secret.scrub(text)
        key = self.parts.get("service_account_key")
        if key:
            try:
                inner = json.loads(key.reveal()).get("private_key", "")
            except (ValueError, AttributeError):
                inner = ""
            if inner:
                for form in (inner, json.dumps(inner)[1:-1]):
                    text = text.replace(form, MASK)
        return text

    def __repr__(self) -> str:
        return f"OAuthCredentials({self.settings.flow}, {sorted(self.parts)})"
