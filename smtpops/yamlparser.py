"""The YAML parser behind :mod:`smtpops.yamlio`: PyYAML composes the node tree (with its C
parser when it has one), and a builder of smtpops' own makes the plain values, refusing what
yamlio refuses (duplicate keys, alias bombs, unknown tags, deep nesting, huge numbers) and
recording where every key and value stands.

Only :mod:`smtpops.yamlio` calls it, when it has to parse a text. It is a module of its own so
that a command whose every YAML text is known already (:mod:`smtpops.parse_cache`, e.g. the
connection test of an unchanged config) never imports PyYAML: loading it costs about 12 ms,
most of it compiling the regular expressions of its pure-Python reader and resolver.
"""

from __future__ import annotations

from typing import Any

import yaml

from smtpops.yamlmarks import MAX_DEPTH, MAX_NODES, MAX_NUMBER, LoadError, Mark, Path

try:  # the C parser is an order of magnitude faster
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]

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


def compose(text: str) -> tuple[Any, dict[Path, Mark], dict[Path, Mark]]:
    """The values of the one YAML document in ``text`` (already checked for size and encoding
    by :func:`smtpops.yamlio.loads`), and the marks of its values and of its keys. Raises
    LoadError."""
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
    return data, builder.values, builder.keys


def values(text: str) -> Any:
    """:func:`smtpops.yamlio.values` of a text it does not know."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: the C parser would crash on it
        return yaml.load(text, Loader=yaml.SafeLoader)
    return yaml.load(text, Loader=_BaseLoader)


def top_fields(text: str) -> list[tuple[str, int, int, int]] | None:
    """Where each plain-named field of ``text`` (one that :func:`compose` accepts) stands:
    its name, the index of its key and the indexes its value starts and ends at; None when
    the text is not one block mapping. For an edit that replaces a value and keeps every other
    byte (:mod:`smtpops.encryption.splice`)."""
    node = yaml.compose(text, Loader=_BaseLoader)
    if not isinstance(node, yaml.MappingNode) or node.flow_style:
        return None
    return [
        (key.value, key.start_mark.index, value.start_mark.index, value.end_mark.index)
        for key, value in node.value
        if isinstance(key, yaml.ScalarNode)
    ]
