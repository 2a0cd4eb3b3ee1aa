"""Safe YAML loading that remembers where every value came from.

PyYAML's loaders keep the last of two equal keys and expand aliases without limit; this
module composes the node tree with the C parser when it is available, then builds plain
Python values itself so that it can refuse duplicate keys, alias bombs, unknown tags and
oversized input, and record the line and column of every key and value.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import yaml

try:  # the C parser is an order of magnitude faster
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]

MAX_BYTES = 256 * 1024
MAX_NODES = 20_000
MAX_DEPTH = 64  # a config is 3 levels deep; libyaml itself stops at 1000
MAX_NUMBER = 4300  # characters: Python's own limit for int(); longer numbers are refused

Path = tuple[str | int, ...]

_constructor = yaml.constructor.SafeConstructor()
_STR = "tag:yaml.org,2002:str"
_SCALAR_TAGS = {
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:timestamp",
}
_COLLECTION_TAGS: dict[type[yaml.Node], str] = {
    yaml.MappingNode: "tag:yaml.org,2002:map",
    yaml.SequenceNode: "tag:yaml.org,2002:seq",
}
_NUMBER_TAGS = {"tag:yaml.org,2002:int", "tag:yaml.org,2002:float"}
_TAG_NAMES = {tag: "!!" + tag.rsplit(":", 1)[1] for tag in _SCALAR_TAGS}


class Mark(NamedTuple):
    """A 1-based line and column (a tuple: one is made for every key and value read)."""

    line: int
    column: int


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
            again = loads(self.text)
            self._values, self._keys = again.values, again.keys
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


class LoadError(Exception):
    """The text is not a YAML document we accept. ``kind`` names the rule it breaks."""

    def __init__(self, kind: str, message: str, mark: Mark | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.mark = mark


def _mark(node: yaml.Node) -> Mark:
    return Mark(node.start_mark.line + 1, node.start_mark.column + 1)


def _short(text: str) -> str:
    return repr(text) if len(text) <= 40 else repr(text[:37] + "...")


def _scalar(node: yaml.Node) -> Any:
    tag = node.tag
    if tag == _STR:
        return node.value  # what SafeConstructor.construct_yaml_str returns, without the calls
    if tag not in _SCALAR_TAGS:
        raise LoadError("tag", f"unsupported YAML tag {tag!r}", _mark(node))
    if tag in _NUMBER_TAGS and len(node.value) > MAX_NUMBER:
        # sexagesimal ints (1:2:3...) cost quadratic time to build; nothing needs such a number
        raise LoadError(
            "syntax", f"a number longer than {MAX_NUMBER} characters cannot be read", _mark(node)
        )
    try:
        return _constructor.yaml_constructors[tag](_constructor, node)
    except Exception:
        raise LoadError(
            "tag",
            f"the value {_short(node.value)} is not a valid {_TAG_NAMES[tag]}",
            _mark(node),
        ) from None


class _Loader(_BaseLoader):
    """The safe loader, its implicit tags remembered: resolving a plain scalar's tag runs a
    handful of regular expressions in Python, and the same keys and values (``host``,
    ``587``, ``STARTTLS``) come back in every file of a run."""

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        if kind is _ScalarNode and implicit[0]:
            tag = _RESOLVED.get(value)
            if tag is None:
                tag = super().resolve(kind, value, implicit)  # type: ignore[no-untyped-call]
                # a plain scalar's tag depends on its text alone (the safe loader has no
                # path resolvers); short texts only, and only so many of them
                if len(value) <= 64 and len(_RESOLVED) < 4096:
                    _RESOLVED[value] = tag
            return tag
        return super().resolve(kind, value, implicit)  # type: ignore[no-untyped-call]


_ScalarNode = yaml.ScalarNode
_MappingNode = yaml.MappingNode
_SequenceNode = yaml.SequenceNode
_RESOLVED: dict[str, str] = {}


class _Builder:
    """Plain values from a node tree, with the position of every key and value."""

    def __init__(self) -> None:
        self.values: dict[Path, Mark] = {}
        self.keys: dict[Path, Mark] = {}
        self.count = 0

    def _too_many(self, node: yaml.Node) -> LoadError:
        return LoadError(
            "aliases",
            f"the document expands to more than {MAX_NODES} values "
            "(anchors and aliases nested too deeply)",
            _mark(node),
        )

    def build(self, node: yaml.Node, path: Path, depth: int = 0) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise self._too_many(node)
        if depth > MAX_DEPTH:
            raise LoadError(
                "depth", f"the values are nested more than {MAX_DEPTH} levels deep", _mark(node)
            )
        start = node.start_mark
        self.values[path] = Mark(start.line + 1, start.column + 1)
        kind = type(node)
        if kind is _ScalarNode:
            return node.value if node.tag == _STR else _scalar(node)
        if node.tag != _COLLECTION_TAGS.get(kind):
            raise LoadError("tag", f"unsupported YAML tag {node.tag!r}", _mark(node))
        if kind is _MappingNode:
            return self._mapping(node, path, depth)  # type: ignore[arg-type]
        return [self.build(item, (*path, i), depth + 1) for i, item in enumerate(node.value)]

    def _mapping(self, node: yaml.MappingNode, path: Path, depth: int) -> dict[Any, Any]:
        result: dict[Any, Any] = {}
        keys = self.keys
        build = self.build
        inner = depth + 1
        for key_node, value_node in node.value:
            if type(key_node) is not _ScalarNode:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    raise LoadError(
                        "tag",
                        "merge keys ('<<') are not supported: write the fields out",
                        _mark(key_node),
                    )
                raise LoadError("syntax", "a key must be a plain name", _mark(key_node))
            self.count += 1
            if self.count > MAX_NODES:
                raise self._too_many(key_node)
            tag = key_node.tag
            if tag == _STR:
                key = key_node.value
            else:
                if tag == "tag:yaml.org,2002:merge":
                    raise LoadError(
                        "tag",
                        "merge keys ('<<') are not supported: write the fields out",
                        _mark(key_node),
                    )
                key = _scalar(key_node)
                if type(key) is not str and not isinstance(key, int | bool):
                    key = str(key)
            where = (*path, key)
            start = key_node.start_mark
            if key in result:
                first = keys[where]
                raise LoadError(
                    "duplicate",
                    f"the key '{key}' appears twice (first on line {first.line}); "
                    "YAML would silently keep only the last one",
                    Mark(start.line + 1, start.column + 1),
                )
            keys[where] = Mark(start.line + 1, start.column + 1)
            result[key] = build(value_node, where, inner)
        return result


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
    try:
        nodes = list(yaml.compose_all(text, Loader=_Loader))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = Mark(mark.line + 1, mark.column + 1) if mark else None
        problem = exc.problem or exc.context or "invalid YAML"
        if "nesting depth" in problem:  # libyaml's own limit (1000 levels)
            raise LoadError(
                "depth", f"the values are nested more than {MAX_DEPTH} levels deep", where
            ) from None
        raise LoadError("syntax", f"invalid YAML: {problem}", where) from None
    except RecursionError:  # the pure-Python composer, without libyaml
        raise LoadError(
            "depth", f"the values are nested more than {MAX_DEPTH} levels deep"
        ) from None
    except yaml.YAMLError as exc:
        raise LoadError("syntax", f"invalid YAML: {exc}") from None
    nodes = [n for n in nodes if n is not None]
    if len(nodes) > 1:
        raise LoadError(
            "syntax", "the file holds more than one YAML document ('---')", _mark(nodes[1])
        )
    builder = _Builder()
    data = builder.build(nodes[0], ()) if nodes else None
    return Document(data=data, values=builder.values, keys=builder.keys, text=text)


def values(text: str) -> Any:
    """What ``yaml.safe_load(text)`` gives (no positions, no limits, a repeated key keeps its
    last value), with the C parser when PyYAML has it: about 15x faster. For a file smtpops
    reads again for one value after it was checked (its auth method, its sops section)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: the C parser would crash on it
        return yaml.load(text, Loader=yaml.SafeLoader)
    return yaml.load(text, Loader=_BaseLoader)


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
