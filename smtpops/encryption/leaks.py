"""What a credential looks like outside the ``password`` field: patterns for the keyless checks.

Each pattern has a plain name; findings name the kind of credential, never the value.
"""

from __future__ import annotations

import re

AGE_SECRET_KEY = re.compile(r"AGE-SECRET-KEY-1[023456789ACDEFGHJKLMNPQRSTUVWXYZ]{58}")

# (kind, literal triggers, pattern): a pattern runs only when one of its triggers occurs
# (triggers in lower case are looked for in the lower-cased text)
_VALUE_PATTERNS: tuple[tuple[str, tuple[str, ...], re.Pattern[str]], ...] = (
    ("an age private key", ("AGE-SECRET-KEY-",), AGE_SECRET_KEY),
    ("a private key", ("PRIVATE KEY",), re.compile(r"-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----")),
    ("a web address with a password in it", ("://",), re.compile(r"://[^/\s:@]+:[^/\s@]+@")),
    (
        "a password written as 'password: …'",
        ("pass", "pwd", "secret", "token", "api"),
        re.compile(
            r"\b(?:pass(?:word|wd)?|pwd|secret|token|api[_-]?key)[ \t]*[:=][ \t]*"
            r"(?=\S*[0-9!@#$%^&*_+=?~])\S{6,}",
            re.I,
        ),
    ),
    (
        "an 'Authorization' credential",
        ("basic", "bearer"),
        re.compile(r"\b(?:basic|bearer)[ \t]+[A-Za-z0-9+/=._~-]{12,}", re.I),
    ),
    ("an AWS access key", ("AKIA", "ASIA"), re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b")),
    ("a SendGrid API key", ("SG.",), re.compile(r"\bSG\.[\w-]{16,32}\.[\w-]{24,64}")),
    (
        "a GitHub token",
        ("ghp_", "gho_", "ghu_", "ghs_", "ghr_"),
        re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36,}"),
    ),
    ("a Slack token", ("xox",), re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}")),
    ("a Google API key", ("AIza",), re.compile(r"\bAIza[0-9A-Za-z_-]{35}")),
    ("a Mailgun API key", ("key-",), re.compile(r"\bkey-[0-9a-f]{32}\b")),
)

# header names and field names that carry a credential whatever their value
_SECRET_NAME = re.compile(
    r"^(?:x-)?(?:api[-_]?key|auth(?:orization)?|access[-_]?token|auth[-_]?token|token|secret|"
    r"client[-_]?secret|pass(?:word|wd)?|pwd|smtp[-_]?pass(?:word)?|proxy-authorization|cookie)$",
    re.I,
)


def _trigger_lines(text: str, lower: str, triggers: tuple[str, ...]) -> set[tuple[int, int]]:
    """(start, end) of each line where a trigger occurs."""
    spans = set()
    for trigger in triggers:
        haystack = lower if trigger.islower() else text
        at = haystack.find(trigger)
        while at != -1:
            start = text.rfind("\n", 0, at) + 1
            end = text.find("\n", at)
            end = len(text) if end == -1 else end
            spans.add((start, end))
            at = haystack.find(trigger, end)
    return spans


def credential_lines(text: str) -> list[tuple[int, str]]:
    """(line number, kind) of every credential-looking match in ``text``, by line.
    Patterns run only on the lines holding one of their triggers; none crosses a line break."""
    lower = text.lower()
    found = []
    for kind, triggers, pattern in _VALUE_PATTERNS:
        for start, end in _trigger_lines(text, lower, triggers):
            if pattern.search(text, start, end):
                found.append((text.count("\n", 0, start) + 1, kind))
    return sorted(found)


def credential_kind(text: str) -> str | None:
    """The kind of credential ``text`` (one line) seems to hold, or None."""
    found = credential_lines(text)
    return found[0][1] if found else None


def secret_name(name: str) -> bool:
    """A field or header name that holds a credential (``api_key``, ``X-Auth-Token``…)."""
    return bool(_SECRET_NAME.match(name.strip()))
