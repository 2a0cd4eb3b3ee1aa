"""What a rule learns about a file beyond the configs it checks (a ``ca_file`` that must
exist, the schema copy an editor modeline names), as a short fingerprint.

Rules ask through ``ConfigContext.exists`` and ``RepoContext.compare``, which record the
fingerprint; the validation cache stores them with a report and uses the report again only
while every fingerprint is the same.

A comparison is recorded as its answer (``same:``/``different:`` and the file compared with),
not as a hash of the bytes: the rule's finding depends on nothing else, and a run that keeps
no cache (``--no-cache``, a pre-commit hook) then needs no hashing at all.
"""

from __future__ import annotations

import os

IS_FILE, NOT_A_FILE = "file", "none"
SAME, DIFFERENT, MISSING, UNREADABLE = "same", "different", "missing", "unreadable"


def fingerprint(path: str) -> str:
    """``file`` or ``none``: whether ``path`` is a file."""
    return IS_FILE if os.path.isfile(path) else NOT_A_FILE


def compare(path: str, reference: str) -> str:
    """Whether ``path`` holds the bytes of ``reference``: ``same``, ``different``, ``missing``
    (no ``path``) or ``unreadable`` (either cannot be read), each followed by ``:reference``."""
    try:
        data = _read(path)
        answer = MISSING if data is None else SAME if data == _read(reference) else DIFFERENT
    except OSError:
        answer = UNREADABLE
    return f"{answer}:{reference}"


def answer(learnt: str) -> str:
    """The answer in a :func:`compare` fingerprint (``same``, ``different``…)."""
    return learnt.partition(":")[0]


def still(path: str, learnt: str) -> bool:
    """Would asking again about ``path`` give the fingerprint ``learnt``? (A fingerprint this
    version does not make, such as an older one's content hash, never holds.)"""
    if learnt in (IS_FILE, NOT_A_FILE):
        return fingerprint(path) == learnt
    kind, colon, reference = learnt.partition(":")
    if not colon or kind not in (SAME, DIFFERENT, MISSING, UNREADABLE):
        return False
    return compare(path, reference) == learnt


def _read(path: str) -> bytes | None:
    """The bytes of ``path`` (None: there is no such file); raises OSError otherwise."""
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except FileNotFoundError:
        return None
