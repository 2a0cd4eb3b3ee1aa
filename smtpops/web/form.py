"""What the page's form shows: the spec's labels and placeholders, the schema's help text,
defaults and bounds, and the security level of each encryption and sign-in option."""

from __future__ import annotations

from typing import Any

from smtpops import model, schema
from smtpops.providers import catalog
from smtpops.records import record
from smtpops.services import drafts

# field -> (label, placeholder); the labels are the spec's
LABELS: dict[str, tuple[str, str]] = {
    "name": ("Name", "e.g. office365-billing"),
    "description": ("Description", "What this configuration is for"),
    "provider": ("Email Provider", ""),
    "host": ("Host", "smtp.example.com"),
    "port": ("Port", ""),
    "tls": ("TLS", ""),
    "verify_certificate": ("Verify certificate", ""),
    "ca_file": ("CA file", "certs/internal-ca.pem"),
    "auth_protocol": ("Auth Protocol", ""),
    "username": ("Username", "your-email@example.com"),
    "password": ("Password", ""),
    "from_address": ("Sender address", "defaults to the username"),
    "helo_hostname": ("HELO Hostname", "localhost"),
    "max_connections": ("Max Connections", ""),
    "retries": ("Retries", ""),
    "idle_timeout": ("Idle Timeout", ""),
    "wait_timeout": ("Wait Timeout", ""),
    "custom_headers": ("Custom Headers", "X-Mailer: SMART360-System\nX-Priority: 1"),
}
SECTIONS = (
    ("Server", ("provider", "host", "port", "tls", "verify_certificate", "ca_file")),
    ("Sign-in", ("auth_protocol", "username", "password", "from_address")),
    ("Connection", ("helo_hostname", "max_connections", "retries", "idle_timeout", "wait_timeout")),
    ("Advanced", ("custom_headers", "description")),
)
UNITS = {"idle_timeout": "s", "wait_timeout": "s"}

# option -> (label, security level, what it means)
TLS_OPTIONS: dict[str, tuple[str, str, str]] = {
    "STARTTLS": (
        "STARTTLS (recommended)",
        "high",
        "TLS/SSL encryption; STARTTLS is commonly used: the connection starts plain and is "
        "encrypted before anything secret is sent (usually port 587).",
    ),
    "SSL/TLS": (
        "SSL/TLS",
        "high",
        "Encrypted from the first byte (implicit TLS, usually port 465).",
    ),
    "None": (
        "None",
        "none",
        "No encryption: the password and every message travel readable by anyone on the "
        "network. Never use it outside a test setup; production refuses it.",
    ),
}
AUTH_OPTIONS: dict[str, tuple[str, str, str]] = {
    "LOGIN": (
        "LOGIN",
        "medium",
        "Username and password sent base64-encoded (not encrypted): safe only inside TLS. "
        "The most common method.",
    ),
    "PLAIN": (
        "PLAIN",
        "low",
        "Username and password in one readable message: less secure than the other methods "
        "if the connection is not encrypted. Use it only with STARTTLS or SSL/TLS.",
    ),
    "CRAM-MD5": (
        "CRAM-MD5",
        "medium",
        "Proves the password with a challenge-response and never sends it; an old method "
        "(MD5) that few providers still offer.",
    ),
}
LEVELS = {"high": "Security: high", "medium": "Security: medium", "low": "Security: low",
          "none": "Security: none"}  # fmt: skip


@record(frozen=True, kw_only=True)
class Field:
    name: str
    label: str
    placeholder: str
    help: str
    kind: str  # text | number | select | checkbox | textarea | password | provider
    default: Any
    minimum: int | None = None
    maximum: int | None = None
    unit: str = ""


def _kind(name: str) -> str:
    if name == "password":
        return "password"
    if name == "provider":
        return "provider"
    if name in ("tls", "auth_protocol") or schema.properties().get(name, {}).get("enum"):
        return "select"
    if name in drafts.BOOLEANS:
        return "checkbox"
    if name == "custom_headers":
        return "textarea"
    if drafts.bounds(name):
        return "number"
    return "text"


def field(name: str) -> Field:
    prop = schema.properties().get(name, {})
    label, placeholder = LABELS.get(name, (str(prop.get("title") or name), ""))
    help_text = str(prop.get("description", ""))
    if name == "password":
        help_text = (
            "Masked as you type. Stored encrypted with sops (only the environment's keys can "
            "read it); never shown again once saved."
        )
    low_high = drafts.bounds(name)
    return Field(
        name=name,
        label=label,
        placeholder=placeholder,
        help=help_text,
        kind=_kind(name),
        default=model.DEFAULTS.get(name, ""),
        minimum=low_high[0] if low_high else None,
        maximum=low_high[1] if low_high else None,
        unit=UNITS.get(name, ""),
    )


def sections() -> list[tuple[str, list[Field]]]:
    """The form's sections; a field the schema gained since (not placed above) goes last."""
    placed = {n for _, names in SECTIONS for n in names}
    rest = [n for n in drafts.EDITABLE if n not in placed and n != "name"]
    found = [(title, [field(n) for n in names]) for title, names in SECTIONS]
    return found + ([("Other", [field(n) for n in rest])] if rest else [])


def options(name: str) -> dict[str, tuple[str, str, str]]:
    """The choices of ``tls`` or ``auth_protocol`` (the schema's enum), each with its label,
    security level and what it means."""
    known = TLS_OPTIONS if name == "tls" else AUTH_OPTIONS
    values = schema.properties().get(name, {}).get("enum") or list(known)
    return {
        str(v): known.get(str(v), (str(v), "medium", f"See `smtpops rules` for {v}."))
        for v in values
    }


def defaults() -> dict[str, Any]:
    """The values of a new config's form (the spec's defaults)."""
    out: dict[str, Any] = {}
    for name in drafts.EDITABLE:
        value = model.DEFAULTS.get(name, "")
        out[name] = value if isinstance(value, bool) else str(value)
    return out


#: providers first in the dropdown (the spec's list), then the rest by name
FIRST = ("gmail", "office365", "yahoo", "outlook", "exchange", "custom")


def providers() -> list[dict[str, Any]]:
    """Each provider for the dropdown, with the values its template fills in."""
    found = catalog()
    order = [p for p in FIRST if p in found]
    order += sorted((p for p in found if p not in FIRST), key=lambda p: found[p].name.lower())
    out = []
    for pid in order:
        provider = found[pid]
        out.append(
            {
                "id": pid,
                "name": provider.name,
                "values": drafts.template_values(provider),
                "auth": list(provider.auth),
                "notes": [n.text for n in provider.notices],
            }
        )
    return out
