"""A decrypted password that never prints itself, and the plaintext secrets of a document."""

from __future__ import annotations

import base64
import re
from functools import lru_cache

MASK = "********"
# fields whose name says they hold a credential (also a misspelt "pasword:")
CREDENTIAL_NAME = re.compile(r"pass|secret|token|credential|key", re.IGNORECASE)
_MIN_SCRUBBED = 3  # shorter values would mask ordinary text


@lru_cache(maxsize=4096)
def _credential_name(key: object) -> bool:
    """A key named like a credential field (remembered: the same keys come back in every
    file of a run)."""
    return bool(CREDENTIAL_NAME.search(str(key)))


def plaintext_secrets(data: object) -> tuple[Secret, ...]:
    """The plain-text (not ``ENC[...]``) values of credential fields anywhere in a parsed
    config: a YAML alias or a copy of the password in another field carries the same value,
    so whatever echoes a field's value must mask these first."""
    found: dict[str, None] = {}

    def walk(node: object, credential: bool) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key != "sops":  # sops' own metadata: keys and checksums, no plaintext
                    walk(value, credential or _credential_name(key))
        elif isinstance(node, list):
            for item in node:
                walk(item, credential)
        elif (
            credential
            and isinstance(node, str | int | float)
            and not isinstance(node, bool)
            and not str(node).startswith("ENC[")
            and len(str(node)) >= _MIN_SCRUBBED
        ):
            found[str(node)] = None

    walk(data, False)
    return tuple(Secret(value) for value in found)


def scrub_all(text: str, secrets: tuple[Secret, ...]) -> str:
    for secret in sorted(secrets, key=lambda s: len(s.reveal()), reverse=True):
        text = secret.scrub(text)
    return text


class Secret:
    """Holds a plaintext secret. ``str``/``repr``/``format`` are masked; use :meth:`reveal`."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def scrub(self, text: str) -> str:
        """``text`` with every occurrence of the secret (and its common encodings) masked."""
        if not self._value:
            return text
        forms = {self._value, base64.b64encode(self._value.encode()).decode()}
        for form in sorted(forms, key=len, reverse=True):
            text = text.replace(form, MASK)
        return text

    def __repr__(self) -> str:
        return f"Secret({MASK})"

    def __str__(self) -> str:
        return MASK

    def __format__(self, spec: str) -> str:
        return MASK

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(("Secret", len(self._value)))

    def __bool__(self) -> bool:
        return bool(self._value)

    def __reduce__(self) -> tuple[object, ...]:
        raise TypeError("a Secret cannot be pickled")
