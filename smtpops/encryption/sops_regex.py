"""The regular expressions of sops — ``path_regex`` in ``.sops.yaml``, ``encrypted_regex`` in a
file's ``sops`` block — matched the way sops matches them: with RE2 (sops is written in Go,
whose regexp package has RE2's syntax and its linear-time guarantee).

Both come from files a pull request can change. Python's backtracking ``re`` took exponential
time on a pattern such as ``(a|a)*$x`` against a config named ``aaaa….yaml`` (2.9 s at 22
letters, doubling with every two more), and differs from Go in syntax (lookarounds,
backreferences). A pattern RE2 cannot compile matches nothing, as it would fail in sops.

The patterns people write (``^configs/production/[^/]+\\.ya?ml$``) use little of that syntax,
and RE2 takes ~2.6 ms to load. A pattern in a plain subset whose meaning is the same in both
(literals, ``.``, simple classes, plain groups, ``|``, ``^``, ``$`` as ``\\Z``) and that cannot
make ``re`` backtrack long (one ``*`` or ``+`` at most, on a single character; few choices) is
matched with ``re``; every other pattern goes to RE2 (tests/secrets/test_sops_regex.py compares
the two on generated patterns).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from smtpops.records import record

_META = frozenset("\\.*+?()[]{}|^$")
_ESCAPED = frozenset("./-")  # \. \/ \- mean the character in both
_NOT_IN_CLASS = frozenset("[]\\^-&~|")  # escapes, POSIX classes, ranges, set operations
_MAX_CHOICES = 32  # product of the alternatives and ? of a pattern: re's backtracking budget
_MAX_TEXT = 512  # longer texts (no config path is) go to RE2


@lru_cache(maxsize=4096)
def search(pattern: str, text: str) -> bool:
    """Whether ``pattern`` (RE2 syntax) matches anywhere in ``text``. Remembered: the same
    patterns and field names come back in every file of a run."""
    plain = _plain(pattern)
    if plain is not None and _plain_text(text):
        return plain.search(text) is not None
    compiled = _compile(pattern)
    return compiled is not None and compiled.search(text) is not None


def valid(pattern: str) -> bool:
    return _plain(pattern) is not None or _compile(pattern) is not None


@record(frozen=True, kw_only=True)
class Translation:
    """A plain pattern written for ``re``, and how long ``re`` could backtrack on it."""

    pattern: str
    repeats: int  # how many * and +
    choices: int  # the product of the alternatives of each group and of 2 for each ?

    @property
    def bounded(self) -> bool:
        """Short enough for ``re`` on any text RE2 is not kept for: one repeat at most, so
        about choices x len(text) ** 2 steps."""
        return self.repeats <= 1 and self.choices <= _MAX_CHOICES


@lru_cache(maxsize=256)
def _plain(pattern: str) -> re.Pattern[str] | None:
    """``pattern`` compiled with ``re``, when it is in the plain subset (None: use RE2)."""
    translated = translate(pattern)
    if translated is None or not translated.bounded:
        return None
    return re.compile(translated.pattern)


def _plain_text(text: str) -> bool:
    """Whether ``re`` may search ``text``: short, and text RE2 can take (it raises on a lone
    surrogate, which cannot be UTF-8)."""
    if len(text) > _MAX_TEXT:
        return False
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def translate(pattern: str) -> Translation | None:
    """The ``re`` pattern that matches as RE2 matches ``pattern``, or None when ``pattern`` is
    outside the plain subset."""
    out: list[str] = []
    groups = [1]  # the alternatives of each open group, the whole pattern first
    choices, repeats, atom, i = 1, 0, False, 0  # atom: may a quantifier follow?
    while i < len(pattern):
        char, step = pattern[i], 1
        if char in "*+?":
            if not atom:  # nothing to repeat, a group, an anchor, or a second quantifier
                return None
            choices, repeats = (choices * 2, repeats) if char == "?" else (choices, repeats + 1)
            out.append(char)
        elif char == "(":
            if pattern.startswith("(?", i):
                return None
            groups.append(1)
            out.append(char)
        elif char == ")":
            if len(groups) == 1:
                return None
            choices *= groups.pop()
            out.append(char)
        elif char == "|":
            groups[-1] += 1
            out.append(char)
        elif char in "^$.":
            out.append(r"\Z" if char == "$" else char)  # re's $ matches before a final \n too
        elif char == "\\":
            if pattern[i + 1 : i + 2] not in _ESCAPED or i + 1 == len(pattern):
                return None
            out.append(pattern[i : i + 2])
            step = 2
        elif char == "[":
            step = _class_length(pattern, i)
            if not step:
                return None
            out.append(pattern[i : i + step])
        elif char in _META or not char.isprintable():
            return None
        else:
            out.append(char)
        atom = char not in "*+?()|^$"
        i += step
    if len(groups) != 1:
        return None
    return Translation(pattern="".join(out), repeats=repeats, choices=choices * groups[0])


def _class_length(pattern: str, start: int) -> int:
    """The length of the class ``[...]`` or ``[^...]`` at ``start``: literal characters and
    ranges ``a-z`` only (0: not such a class)."""
    i = start + 2 if pattern.startswith("[^", start) else start + 1
    members = 0
    while i < len(pattern) and pattern[i] != "]":
        low = pattern[i]
        if low in _NOT_IN_CLASS or not low.isprintable():
            return 0
        if pattern.startswith("-", i + 1) and i + 2 < len(pattern) and pattern[i + 2] != "]":
            high = pattern[i + 2]
            if high in _NOT_IN_CLASS or not high.isprintable() or high < low:
                return 0
            i += 2
        i += 1
        members += 1
    return i + 1 - start if i < len(pattern) and members else 0


@lru_cache(maxsize=256)
def _compile(pattern: str) -> Any:
    # lazy: google-re2 (a C++ extension) loads only where a sops pattern is matched
    import re2

    options = re2.Options()
    options.log_errors = False  # a bad pattern is the caller's finding, not a line on stderr
    try:
        return re2.compile(pattern, options)
    except (re2.error, TypeError, ValueError):
        return None
