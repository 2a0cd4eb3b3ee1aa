"""What a credential looks like outside the ``password`` field: patterns for the keyless checks.

Each pattern has a plain name; findings name the kind of credential, never the value.
"""

from __future__ import annotations

import re

AGE_SECRET_KEY = re.compile(r"AGE-SECRET-KEY-1[023456789ACDEFGHJKLMNPQRSTUVWXYZ]{58}")

_VALUE_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("an age private key", AGE_SECRET_KEY),
    ("a private key", re.compile(r"-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----")),
    (
        "a web address with a password in it",
        re.compile(r"[a-z][a-z0-9+.-]*://[^/\s:@]+:[^/\s@]+@", re.I),
    ),
    (
        "a password written as 'password: …'",
        re.compile(
            r"\b(?:pass(?:word|wd)?|pwd|secret|token|api[_-]?key)\s*[:=]\s*"
            r"(?=\S*[0-9!@#$%^&*_+=?~])\S{6,}",
            re.I,
        ),
    ),
    (
        "an 'Authorization' credential",
        re.compile(r"\b(?:basic|bearer)\s+[A-Za-z0-9+/=._~-]{12,}", re.I),
    ),
    ("an AWS access key", re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b")),
    ("a SendGrid API key", re.compile(r"\bSG\.[\w-]{16,32}\.[\w-]{24,64}")),
    ("a GitHub token", re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36,}")),
    ("a Slack token", re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}")),
    ("a Google API key", re.compile(r"\bAIza[0-9A-Za-z_-]{35}")),
    ("a Mailgun API key", re.compile(r"\bkey-[0-9a-f]{32}\b")),
)

# header names and field names that carry a credential whatever their value
_SECRET_NAME = re.compile(
    r"^(?:x-)?(?:api[-_]?key|auth(?:orization)?|access[-_]?token|auth[-_]?token|token|secret|"
    r"client[-_]?secret|pass(?:word|wd)?|pwd|smtp[-_]?pass(?:word)?|proxy-authorization|cookie)$",
    re.I,
)


def _scoped(pattern: re.Pattern[str]) -> str:
    return f"(?i:{pattern.pattern})" if pattern.flags & re.I else f"(?:{pattern.pattern})"


# one pass over a line instead of one per pattern; the group that matched names the kind
_ANY = re.compile("|".join(f"(?P<k{i}>{_scoped(p)})" for i, (_, p) in enumerate(_VALUE_PATTERNS)))


def credential_kind(text: str) -> str | None:
    """The kind of credential ``text`` seems to hold, or None."""
    match = _ANY.search(text)
    if match is None or match.lastgroup is None:
        return None
    return _VALUE_PATTERNS[int(match.lastgroup[1:])][0]


def secret_name(name: str) -> bool:
    """A field or header name that holds a credential (``api_key``, ``X-Auth-Token``…)."""
    return bool(_SECRET_NAME.match(name.strip()))
