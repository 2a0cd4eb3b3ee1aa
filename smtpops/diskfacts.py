"""What a rule learns about a file beyond the configs it checks (a ``ca_file`` that must
exist, the schema copy an editor modeline names), as a short fingerprint.

Rules ask through ``ConfigContext.exists`` and ``RepoContext.read_bytes``, which record the
fingerprint; the validation cache stores them with a report and uses the report again only
while every fingerprint is the same.
"""

from __future__ import annotations

import os

from smtpops import digests

IS_FILE, NOT_A_FILE = "file", "none"
_CONTENT_PREFIX = "blake2b:"
MISSING, UNREADABLE = "missing", "unreadable"


def fingerprint(path: str, *, content: bool) -> str:
    """``file``/``none`` (whether it is a file), or with ``content`` a hash of its bytes
    (``missing``, ``unreadable``)."""
    if not content:
        return IS_FILE if os.path.isfile(path) else NOT_A_FILE
    try:
        with open(path, "rb") as handle:
            return _CONTENT_PREFIX + digests.new(handle.read()).hexdigest()
    except FileNotFoundError:
        return MISSING
    except OSError:
        return UNREADABLE


def still(path: str, learnt: str) -> bool:
    """Would asking again about ``path`` give the fingerprint ``learnt``?"""
    content = learnt.startswith(_CONTENT_PREFIX) or learnt in (MISSING, UNREADABLE)
    return fingerprint(path, content=content) == learnt
