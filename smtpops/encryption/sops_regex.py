"""The regular expressions of sops — ``path_regex`` in ``.sops.yaml``, ``encrypted_regex`` in a
file's ``sops`` block — matched the way sops matches them: with RE2 (sops is written in Go,
whose regexp package has RE2's syntax and its linear-time guarantee).

Both come from files a pull request can change. Python's backtracking ``re`` took exponential
time on a pattern such as ``(a|a)*$x`` against a config named ``aaaa….yaml`` (2.9 s at 22
letters, doubling with every two more), and differs from Go in syntax (lookarounds,
backreferences). A pattern RE2 cannot compile matches nothing, as it would fail in sops.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any


@lru_cache(maxsize=4096)
def search(pattern: str, text: str) -> bool:
    """Whether ``pattern`` (RE2 syntax) matches anywhere in ``text``. Remembered: the same
    patterns and field names come back in every file of a run."""
    compiled = _compile(pattern)
    return compiled is not None and compiled.search(text) is not None


def valid(pattern: str) -> bool:
    return _compile(pattern) is not None


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
