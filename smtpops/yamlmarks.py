"""What :mod:`smtpops.yamlio` and its parser (:mod:`smtpops.yamlparser`) share: the limits a
text must keep to, where a value stands (:class:`Mark`) and why a text is refused
(:class:`LoadError`). Import them from :mod:`smtpops.yamlio`, which re-exports them."""

from __future__ import annotations

from typing import NamedTuple

MAX_BYTES = 256 * 1024
MAX_NODES = 20_000
MAX_DEPTH = 64  # a config is 3 levels deep; libyaml itself stops at 1000
MAX_NUMBER = 4300  # characters: Python's own limit for int(); longer numbers are refused

Path = tuple[str | int, ...]


class Mark(NamedTuple):
    """A 1-based line and column (a tuple: one is made for every key and value read)."""

    line: int
    column: int


class LoadError(Exception):
    """The text is not a YAML document we accept. ``kind`` names the rule it breaks."""

    def __init__(self, kind: str, message: str, mark: Mark | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.mark = mark
