"""A conservative fast path for the config schema: per field, a compiled check that answers
"surely valid" for the handful of keywords the schema uses. Anything it is not sure about
(a keyword it does not know, a value that fails) goes to the full jsonschema validator,
so the findings, and their messages, are exactly those of jsonschema.

Validating 5,000 configs with jsonschema alone took most of a run; nearly all of them are
valid, and for those this check is all that runs.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

Check = Callable[[Any], bool]

_ANNOTATIONS = {
    "title",
    "description",
    "examples",
    "default",
    "$comment",
    "deprecated",
    "readOnly",
    "writeOnly",
}
_TYPES: dict[str, Check] = {
    "string": lambda v: type(v) is str,
    "integer": lambda v: type(v) is int,
    "boolean": lambda v: type(v) is bool,
    "object": lambda v: type(v) is dict,
    "number": lambda v: type(v) in (int, float),
    "null": lambda v: v is None,
}


def _never(value: Any) -> bool:
    return False


def _is_number(value: Any) -> bool:
    return type(value) in (int, float)


def compile_check(subschema: Any) -> Check:
    """A function that returns True only when ``subschema`` surely accepts the value."""
    if not isinstance(subschema, dict) or set(subschema) - _ANNOTATIONS - set(_KEYWORDS):
        return _never
    checks = tuple(_KEYWORDS[key](subschema[key]) for key in subschema if key in _KEYWORDS)
    if any(c is _never for c in checks):
        return _never
    if len(checks) == 1:
        return checks[0]

    def check_all(value: Any) -> bool:
        for check in checks:  # noqa: SIM110 - a loop is cheaper than all() over a generator
            if not check(value):
                return False
        return True

    return check_all


def _type(spec: Any) -> Check:
    names = spec if isinstance(spec, list) else [spec]
    if not all(name in _TYPES for name in names):
        return _never
    if len(names) == 1:
        return _TYPES[names[0]]
    tests = tuple(_TYPES[name] for name in names)
    return lambda v: any(test(v) for test in tests)


def _enum(spec: Any) -> Check:
    if all(type(item) is str for item in spec):
        strings = frozenset(spec)
        return lambda v: type(v) is str and v in strings
    allowed = [(type(item), item) for item in spec]
    return lambda v: any(type(v) is kind and v == item for kind, item in allowed)


def _pattern(spec: Any) -> Check:
    regex = re.compile(spec)
    return lambda v: type(v) is not str or regex.search(v) is not None


def _bound(compare: Callable[[Any, Any], bool]) -> Callable[[Any], Check]:
    return lambda limit: lambda v: not _is_number(v) or compare(v, limit)


def _length(compare: Callable[[int, int], bool]) -> Callable[[Any], Check]:
    return lambda limit: lambda v: type(v) is not str or compare(len(v), limit)


def _any_of(spec: Any) -> Check:
    branches = tuple(compile_check(branch) for branch in spec)

    def check_any(value: Any) -> bool:
        for branch in branches:  # noqa: SIM110 - as above
            if branch(value):
                return True
        return False

    return check_any


def _additional(spec: Any) -> Check:
    if spec is True:
        return lambda v: True
    inner = compile_check(spec)
    return lambda v: type(v) is not dict or all(inner(item) for item in v.values())


_KEYWORDS: dict[str, Callable[[Any], Check]] = {
    "type": _type,
    "enum": _enum,
    "pattern": _pattern,
    "minimum": _bound(lambda v, limit: v >= limit),
    "maximum": _bound(lambda v, limit: v <= limit),
    "minLength": _length(lambda n, limit: n >= limit),
    "maxLength": _length(lambda n, limit: n <= limit),
    "anyOf": _any_of,
    "additionalProperties": _additional,
}
