"""The SOPS v3 YAML format, read without any key: ``ENC[...]`` values and the ``sops:`` block.

Pure parsing (no subprocess, no crypto), so the keyless rules can use it in every run.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import re
from functools import lru_cache
from typing import Any

from smtpops.records import record

ENC_PREFIX = "ENC["
_B64 = r"[A-Za-z0-9+/]*={0,2}"
ENC_VALUE = re.compile(
    rf"^ENC\[AES256_GCM,data:(?P<data>{_B64}),iv:(?P<iv>{_B64}),tag:(?P<tag>{_B64}),"
    r"type:(?P<type>[a-z]+)\]$"
)
VALUE_TYPES = ("str", "int", "float", "bool", "bytes", "comment")
IV_BYTES = 32  # sops uses a 256-bit GCM nonce
TAG_BYTES = 16
MAC_BYTES = 128  # an upper-case hex SHA-512
AGE_RECIPIENT = re.compile(r"^age1[023456789acdefghjklmnpqrstuvwxyz]{58}$")
AGE_ARMOR_BEGIN = "-----BEGIN AGE ENCRYPTED FILE-----"
AGE_ARMOR_END = "-----END AGE ENCRYPTED FILE-----"
AGE_HEADER = b"age-encryption.org/v1\n"
_KEY_SOURCES = ("age", "pgp", "kms", "gcp_kms", "azure_kv", "hc_vault", "hckms", "key_groups")


@record(frozen=True)
class EncValue:
    data: bytes
    iv: bytes
    tag: bytes
    type: str


def looks_encrypted(value: object) -> bool:
    return isinstance(value, str) and value.startswith(ENC_PREFIX)


def parse_enc(value: str) -> EncValue | str:
    """The parts of an ``ENC[AES256_GCM,...]`` value, or a plain-words reason it is malformed."""
    match = ENC_VALUE.match(value)
    if not match:
        return "it is not of the form ENC[AES256_GCM,data:…,iv:…,tag:…,type:…]"
    parts: dict[str, bytes] = {}
    for name in ("data", "iv", "tag"):
        try:
            parts[name] = base64.b64decode(match[name], validate=True)
        except (binascii.Error, ValueError):
            return f"its '{name}' part is not valid base64"
    if len(parts["iv"]) != IV_BYTES:
        return f"its 'iv' part is {len(parts['iv'])} bytes long instead of {IV_BYTES}"
    if len(parts["tag"]) != TAG_BYTES:
        return f"its 'tag' part is {len(parts['tag'])} bytes long instead of {TAG_BYTES}"
    if match["type"] not in VALUE_TYPES:
        return f"its type '{match['type']}' is not one sops writes"
    return EncValue(parts["data"], parts["iv"], parts["tag"], match["type"])


_BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


def _bech32_polymod(values: list[int]) -> int:
    gen = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)
    chk = 1
    for v in values:
        top = chk >> 25
        chk = (chk & 0x1FFFFFF) << 5 ^ v
        for i in range(5):
            chk ^= gen[i] if (top >> i) & 1 else 0
    return chk


def valid_recipient(text: object) -> bool:
    """An age X25519 recipient (``age1…``) with a correct bech32 checksum."""
    if not isinstance(text, str) or not AGE_RECIPIENT.match(text):
        return False
    return _checksum_ok(text)


@lru_cache(maxsize=256)
def _checksum_ok(text: str) -> bool:
    hrp, data = "age", [_BECH32.index(c) for c in text[4:]]
    expanded = [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]
    return _bech32_polymod(expanded + data) == 1


def age_stanza_problem(enc: object) -> str | None:
    """Why an age ``enc`` block is not an armored age file for one X25519 recipient, or None."""
    if not isinstance(enc, str):
        return "its 'enc' value is missing"
    lines = [line.strip() for line in enc.strip().splitlines()]
    if len(lines) < 3 or lines[0] != AGE_ARMOR_BEGIN or lines[-1] != AGE_ARMOR_END:
        return "its 'enc' value is not an armored age file"
    try:
        body = base64.b64decode("".join(lines[1:-1]), validate=True)
    except (binascii.Error, ValueError):
        return "its 'enc' value is not valid base64"
    if not body.startswith(AGE_HEADER) or b"\n-> X25519 " not in body[len(AGE_HEADER) - 1 :]:
        return "its 'enc' value is not an age file encrypted to an X25519 key"
    return None


@record(frozen=True, kw_only=True)
class Metadata:
    """The ``sops:`` block as read without a key. ``problems`` are (sub-field, reason) pairs."""

    recipients: tuple[str, ...]
    other_key_sources: tuple[str, ...]
    encrypted_regex: str | None
    mac_only_encrypted: bool
    version: str | None
    problems: tuple[tuple[str, str], ...]


def _recipients(block: dict[str, Any], problems: list[tuple[str, str]]) -> list[str]:
    entries = block.get("age") or []
    groups = block.get("key_groups") or []
    if isinstance(groups, list):
        entries = list(entries) + [
            e for g in groups if isinstance(g, dict) for e in g.get("age") or []
        ]
    found: list[str] = []
    if not isinstance(entries, list):
        problems.append(("age", "the list of age keys is not a list"))
        return found
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict):
            problems.append((f"age.{i}", "an age key entry is not a mapping"))
            continue
        recipient = entry.get("recipient")
        if not valid_recipient(recipient):
            problems.append(
                (f"age.{i}.recipient", "an age recipient is not a valid age1… public key")
            )
        else:
            found.append(str(recipient))
        reason = age_stanza_problem(entry.get("enc"))
        if reason:
            problems.append((f"age.{i}.enc", f"the age key entry {i + 1}: {reason}"))
    return found


def read_metadata(block: object) -> Metadata:
    """Read a ``sops`` mapping; every structural problem is listed, nothing is raised."""
    problems: list[tuple[str, str]] = []
    if not isinstance(block, dict):
        return Metadata(
            recipients=(),
            other_key_sources=(),
            encrypted_regex=None,
            mac_only_encrypted=False,
            version=None,
            problems=(("", "the sops section is not a mapping"),),
        )
    recipients = _recipients(block, problems)
    others = tuple(k for k in _KEY_SOURCES if k not in ("age", "key_groups") and block.get(k))
    if not recipients and not others:
        problems.append(("age", "no key can decrypt the file (the sops section lists no keys)"))
    mac = block.get("mac")
    if not isinstance(mac, str):
        problems.append(("mac", "the checksum (mac) is missing"))
    else:
        parsed = parse_enc(mac)
        if isinstance(parsed, str):
            problems.append(("mac", f"the checksum (mac) is damaged: {parsed}"))
        elif len(parsed.data) != MAC_BYTES or parsed.type != "str":
            problems.append(("mac", "the checksum (mac) does not have the size of a sops checksum"))
    modified = block.get("lastmodified")
    if isinstance(modified, str):
        try:
            datetime.datetime.fromisoformat(modified.replace("Z", "+00:00"))
        except ValueError:
            problems.append(
                ("lastmodified", "the date of the last change (lastmodified) is not a date")
            )
    elif not isinstance(modified, datetime.datetime):
        problems.append(("lastmodified", "the date of the last change (lastmodified) is missing"))
    version = block.get("version")
    if not isinstance(version, str) or not re.match(r"^\d+\.\d+\.\d+", version):
        problems.append(("version", "the sops version is missing"))
    regex = block.get("encrypted_regex")
    return Metadata(
        recipients=tuple(recipients),
        other_key_sources=others,
        encrypted_regex=regex if isinstance(regex, str) else None,
        mac_only_encrypted=block.get("mac_only_encrypted") is True,
        version=version if isinstance(version, str) else None,
        problems=tuple(problems),
    )
