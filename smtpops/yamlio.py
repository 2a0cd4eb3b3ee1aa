"""Safe YAML loading that remembers where every value came from.

PyYAML's loaders keep the last of two equal keys and expand aliases without limit; this
module composes the node tree with the C parser when it is available, then builds plain
Python values itself so that it can refuse duplicate keys, alias bombs, unknown tags and
oversized input, and record the line and column of every key and value.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

try:  # the C parser is an order of magnitude faster
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

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


@dataclass(frozen=True, slots=True)
class Mark:
    """A 1-based line and column."""

    line: int
    column: int


@dataclass(frozen=True, slots=True)
class Document:
    """A loaded YAML document: its values, and where each value and key stands."""

    data: Any
    values: dict[Path, Mark]
    keys: dict[Path, Mark]
    text: str

    def mark(self, path: Path) -> Mark | None:
        """The position of the value at ``path``, or of its nearest parent that has one."""
        while True:
            if path in self.values:
                return self.values[path]
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


class _Builder:
    def __init__(self) -> None:
        self.values: dict[Path, Mark] = {}
        self.keys: dict[Path, Mark] = {}
        self.count = 0

    def _tick(self, node: yaml.Node) -> None:
        self.count += 1
        if self.count > MAX_NODES:
            raise LoadError(
                "aliases",
                f"the document expands to more than {MAX_NODES} values "
                "(anchors and aliases nested too deeply)",
                _mark(node),
            )

    def build(self, node: yaml.Node, path: Path, depth: int = 0) -> Any:
        self._tick(node)
        if depth > MAX_DEPTH:
            raise LoadError(
                "depth", f"the values are nested more than {MAX_DEPTH} levels deep", _mark(node)
            )
        self.values[path] = _mark(node)
        if isinstance(node, yaml.ScalarNode):
            return _scalar(node)
        expected = _COLLECTION_TAGS.get(type(node))
        if node.tag != expected:
            raise LoadError("tag", f"unsupported YAML tag {node.tag!r}", _mark(node))
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path, depth)
        return [self.build(item, (*path, i), depth + 1) for i, item in enumerate(node.value)]

    def _mapping(self, node: yaml.MappingNode, path: Path, depth: int) -> dict[Any, Any]:
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise LoadError(
                    "tag",
                    "merge keys ('<<') are not supported: write the fields out",
                    _mark(key_node),
                )
            if not isinstance(key_node, yaml.ScalarNode):
                raise LoadError("syntax", "a key must be a plain name", _mark(key_node))
            self._tick(key_node)
            key = _scalar(key_node)
            if type(key) is not str and not isinstance(key, int | bool):
                key = str(key)
            where = (*path, key)
            if key in result:
                first = self.keys[where]
                raise LoadError(
                    "duplicate",
                    f"the key '{key}' appears twice (first on line {first.line}); "
                    "YAML would silently keep only the last one",
                    _mark(key_node),
                )
            self.keys[where] = _mark(key_node)
            result[key] = self.build(value_node, where, depth + 1)
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
