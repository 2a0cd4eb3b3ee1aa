"""What a credential looks like outside the ``password`` field: patterns for the keyless checks.

Each pattern has a plain name; findings name the kind of credential, never the value.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from functools import lru_cache

AGE_SECRET_KEY = re.compile(r"AGE-SECRET-KEY-1[023456789ACDEFGHJKLMNPQRSTUVWXYZ]{58}")

_PASSWORD_NAME = re.compile(
    r"\b(?:pass(?:word|wd)?|pwd|secret|token|api[_-]?key)[ \t]*+[:=][ \t]*+", re.I
)
_NOT_SPACE = re.compile(r"\S*+")
_SPECIAL = re.compile(r"[0-9!@#$%^&*_+=?~]")


def _password_written_out(text: str, start: int, end: int) -> bool:
    """'password: <a word of 6 or more characters with a digit or a sign in it>' in the line.

    The regex this replaces, ``name[:=]\\s*(?=\\S*[0-9!…])\\S{6,}``, scanned the rest of the
    word once for each name in it ('pass:' 12,000 times took 9 s). Here each word and each
    stretch up to the next sign is scanned once: the names are found left to right, so the
    word they point into and the next sign can be remembered from one name to the next."""
    word_end = special = -1
    for name in _PASSWORD_NAME.finditer(text, start, end):
        at = name.end()
        if at >= word_end:
            word = _NOT_SPACE.match(text, at, end)
            word_end = word.end() if word else at
            special = -1
        if word_end - at < 6:
            continue
        if special < at:
            found = _SPECIAL.search(text, at, word_end)
            special = found.start() if found else word_end
        if special < word_end:
            return True
    return False


def _searcher(source: str, flags: int = 0) -> Callable[[str, int, int], bool]:
    """A test that searches for ``source``, compiled the first time a line triggers it:
    most texts trigger few of the patterns, and a one-file run need not compile them all."""
    compiled: list[re.Pattern[str]] = []

    def test(text: str, start: int, end: int) -> bool:
        if not compiled:
            compiled.append(re.compile(source, flags))
        return compiled[0].search(text, start, end) is not None

    return test


# (kind, literal triggers, test): a test runs only on the lines where one of its triggers
# occurs (triggers in lower case are looked for in the lower-cased text)
_VALUE_PATTERNS: tuple[tuple[str, tuple[str, ...], Callable[[str, int, int], bool]], ...] = (
    ("an age private key", ("AGE-SECRET-KEY-",), _searcher(AGE_SECRET_KEY.pattern)),
    (
        "a private key",
        ("PRIVATE KEY",),
        _searcher(r"-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----"),
    ),
    (
        "a web address with a password in it",
        ("://",),
        _searcher(r"://[^/\s:@]++:[^/\s@]++@"),
    ),
    (
        "a password written as 'password: …'",
        ("pass", "pwd", "secret", "token", "api"),
        _password_written_out,
    ),
    (
        "an 'Authorization' credential",
        ("basic", "bearer"),
        _searcher(r"\b(?:basic|bearer)[ \t]++[A-Za-z0-9+/=._~-]{12,}", re.I),
    ),
    (
        "an AWS access key",
        ("AKIA", "ASIA"),
        _searcher(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"),
    ),
    ("a SendGrid API key", ("SG.",), _searcher(r"\bSG\.[\w-]{16,32}\.[\w-]{24,64}")),
    (
        "a GitHub token",
        ("ghp_", "gho_", "ghu_", "ghs_", "ghr_"),
        _searcher(r"\bgh[pousr]_[A-Za-z0-9]{36,}"),
    ),
    ("a Slack token", ("xox",), _searcher(r"\bxox[abposr]-[A-Za-z0-9-]{10,}")),
    ("a Google API key", ("AIza",), _searcher(r"\bAIza[0-9A-Za-z_-]{35}")),
    ("a Mailgun API key", ("key-",), _searcher(r"\bkey-[0-9a-f]{32}\b")),
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
    breaks: list[int] | None = None
    for kind, triggers, test in _VALUE_PATTERNS:
        for start, end in _trigger_lines(text, lower, triggers):
            if test(text, start, end):
                if breaks is None:  # counted once: a count per line was quadratic
                    breaks = [m.start() for m in re.finditer("\n", text)]
                found.append((bisect.bisect_left(breaks, start) + 1, kind))
    return sorted(found)


def credential_kind(text: str) -> str | None:
    """The kind of credential ``text`` (one line) seems to hold, or None."""
    found = credential_lines(text)
    return found[0][1] if found else None


@lru_cache(maxsize=4096)
def secret_name(name: str) -> bool:
    """A field or header name that holds a credential (``api_key``, ``X-Auth-Token``…).
    Remembered: the same field names come back in every file of a run."""
    return bool(_SECRET_NAME.match(name.strip()))
