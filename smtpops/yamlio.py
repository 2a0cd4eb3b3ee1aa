"""Safe YAML loading that remembers where every value came from.

PyYAML's loaders keep the last of two equal keys and expand aliases without limit; this
module composes the node tree with the C parser when it is available, then builds plain
Python values itself so that it can refuse duplicate keys, alias bombs, unknown tags and
oversized input, and record the line and column of every key and value.

The parsing itself is in :mod:`smtpops.yamlparser`, imported on the first text that has to be
parsed: a caller that knows what a text parses to (:data:`RECALL`, set by
:mod:`smtpops.parse_cache`) gets its documents without PyYAML being loaded at all.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from smtpops.yamlmarks import MAX_BYTES, MAX_DEPTH, MAX_NODES, MAX_NUMBER, LoadError, Mark, Path

__all__ = [
    "MAX_BYTES",
    "MAX_DEPTH",
    "MAX_NODES",
    "MAX_NUMBER",
    "RECALL",
    "Document",
    "LoadError",
    "Mark",
    "Path",
    "Recall",
    "load_path",
    "loads",
    "values",
]

Recall = Callable[[str], "dict[str, Any] | None"]
"""What a text is known to parse to (its mapping, as :func:`loads` made it), or None."""

RECALL: ContextVar[Recall | None] = ContextVar("smtpops_yaml_recall", default=None)
"""Where :func:`loads` and :func:`values` look first, for a text parsed before (set by
:func:`smtpops.parse_cache.used`); None (the default): every text is parsed."""


class Document:
    """A loaded YAML document: its values, and where each value and key stands.

    A document sent from a worker process (:mod:`smtpops.fanout`) comes without its marks,
    which cost more to send than to find again: they are read from its text once, on first
    use, which is the same text the worker read them from."""

    __slots__ = ("_keys", "_values", "data", "text")

    def __init__(
        self,
        data: Any,
        values: dict[Path, Mark] | None,
        keys: dict[Path, Mark] | None,
        text: str,
    ) -> None:
        self.data = data
        self.text = text
        self._values = values
        self._keys = keys

    @classmethod
    def deferred(cls, data: Any, text: str) -> Document:
        """A document of ``text`` already parsed into ``data``; its marks are found on use."""
        return cls(data, None, None, text)

    def _marks(self) -> tuple[dict[Path, Mark], dict[Path, Mark]]:
        if self._values is None or self._keys is None:
            # lazy(start-up): PyYAML (see loads); only a document whose marks are asked for
            from smtpops import yamlparser

            # not loads(): it could recall the text, whose marks are what is missing
            _, self._values, self._keys = yamlparser.compose(self.text)
        return self._values, self._keys

    @property
    def values(self) -> dict[Path, Mark]:
        return self._values if self._values is not None else self._marks()[0]

    @property
    def keys(self) -> dict[Path, Mark]:
        return self._keys if self._keys is not None else self._marks()[1]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Document):
            return NotImplemented
        return (self.data, self.text, self.values, self.keys) == (
            other.data,
            other.text,
            other.values,
            other.keys,
        )

    __hash__ = None  # type: ignore[assignment]  # its values are dicts

    def __repr__(self) -> str:
        return f"Document(data={self.data!r}, text={self.text!r})"

    def mark(self, path: Path) -> Mark | None:
        """The position of the value at ``path``, or of its nearest parent that has one."""
        values = self.values
        while True:
            if path in values:
                return values[path]
            if not path:
                return None
            path = path[:-1]


def loads(text: str) -> Document:
    """Parse one YAML document from ``text``. Raises LoadError."""
    try:
        size = len(text.encode("utf-8"))
    except UnicodeEncodeError as exc:  # a lone surrogate: the C parser would crash on it
        raise LoadError(
            "encoding", f"the text is not valid Unicode (character {exc.start + 1})"
        ) from None
    if size > MAX_BYTES:
        raise LoadError("size", f"the file is larger than {MAX_BYTES // 1024} KiB")
    recall = RECALL.get()
    if recall is not None:
        known = recall(text)
        if known is not None:  # marks are read from the text if they are ever asked for
            return Document.deferred(known, text)
    # lazy(start-up): PyYAML (~12 ms); a run whose every text is known parses none
    from smtpops import yamlparser

    return Document(*yamlparser.compose(text), text=text)


def values(text: str) -> Any:
    """What ``yaml.safe_load(text)`` gives (no positions, no limits, a repeated key keeps its
    last value), with the C parser when PyYAML has it: about 15x faster. For a file smtpops
    reads again for one value after it was checked (its auth method, its sops section)."""
    recall = RECALL.get()
    if recall is not None:
        known = recall(text)
        if known is not None:  # kept only where values() and loads() agree (parse_cache)
            return known
    # lazy(start-up): PyYAML (see loads)
    from smtpops import yamlparser

    return yamlparser.values(text)


def load_path(path: str) -> Document:
    """Read and parse a file. Raises LoadError (and OSError when it cannot be read)."""
    with open(path, "rb") as handle:
        raw = handle.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        raise LoadError("size", f"the file is larger than {MAX_BYTES // 1024} KiB")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise LoadError("encoding", f"the file is not UTF-8 text (byte {exc.start})") from None
    return loads(text)
