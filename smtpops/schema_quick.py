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

from smtpops.records import record

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


# --- the errors themselves, for a value the fast path is not sure about -------------------
#
# jsonschema itself costs ~60 ms to import, a third of validating 1,000 configs: for the
# keywords above (and properties / required, in the shape the config schema uses them),
# the errors are found here, keyword by keyword in the schema's order as jsonschema does.
# A schema with anything else is explained by jsonschema (``compile_explain`` says None).
# tests/test_schema_quick.py compares both on generated configs.


@record(frozen=True)
class QuickError:
    """One failure, with the attributes of jsonschema's ValidationError that smtpops reads."""

    path: tuple[Any, ...]
    validator: str
    validator_value: Any
    instance: Any
    schema: dict[str, Any]
    message: str


Explain = Callable[[Any, tuple[Any, ...]], list[QuickError]]
_Keyword = Callable[[Any, tuple[Any, ...], list[QuickError]], None]


def _js_type(name: str, value: Any) -> bool:
    if name == "string":
        return isinstance(value, str)
    if name == "integer":
        return (isinstance(value, int) and not isinstance(value, bool)) or (
            isinstance(value, float) and value.is_integer()
        )
    if name == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if name == "boolean":
        return isinstance(value, bool)
    if name == "object":
        return isinstance(value, dict)
    if name == "array":
        return isinstance(value, list)
    return value is None  # "null"


_JS_TYPES = frozenset({"string", "integer", "number", "boolean", "object", "array", "null"})


def _number(value: Any) -> bool:
    return _js_type("number", value)


def compile_explain(subschema: Any) -> Explain | None:
    """A function listing what ``subschema`` finds wrong with a value (at ``path``), as
    jsonschema would; None when the subschema uses something this module does not know."""
    if not isinstance(subschema, dict):
        return None
    steps: list[_Keyword] = []
    for keyword, spec in subschema.items():
        if keyword in _ANNOTATIONS:
            continue
        maker = _EXPLAIN.get(keyword)
        step = maker(spec, subschema) if maker else None
        if step is None:
            return None
        steps.append(step)

    def explain(value: Any, path: tuple[Any, ...]) -> list[QuickError]:
        found: list[QuickError] = []
        for step in steps:
            step(value, path, found)
        return found

    return explain


def _failure(
    keyword: str, spec: Any, schema: dict[str, Any]
) -> Callable[[Any, tuple[Any, ...], str], QuickError]:
    def make(value: Any, path: tuple[Any, ...], message: str) -> QuickError:
        return QuickError(path, keyword, spec, value, schema, message)

    return make


def _x_type(spec: Any, schema: dict[str, Any]) -> _Keyword | None:
    names = spec if isinstance(spec, list) else [spec]
    if not all(isinstance(n, str) and n in _JS_TYPES for n in names):
        return None
    fail = _failure("type", spec, schema)
    reprs = ", ".join(repr(n) for n in names)

    def step(value: Any, path: tuple[Any, ...], found: list[QuickError]) -> None:
        if not any(_js_type(n, value) for n in names):
            found.append(fail(value, path, f"{value!r} is not of type {reprs}"))

    return step


def _x_enum(spec: Any, schema: dict[str, Any]) -> _Keyword | None:
    if not isinstance(spec, list) or not all(type(item) is str for item in spec):
        return None
    allowed = frozenset(spec)
    fail = _failure("enum", spec, schema)

    def step(value: Any, path: tuple[Any, ...], found: list[QuickError]) -> None:
        if not (isinstance(value, str) and value in allowed):
            found.append(fail(value, path, f"{value!r} is not one of {spec!r}"))

    return step


def _x_pattern(spec: Any, schema: dict[str, Any]) -> _Keyword | None:
    if not isinstance(spec, str):
        return None
    regex = re.compile(spec)
    fail = _failure("pattern", spec, schema)

    def step(value: Any, path: tuple[Any, ...], found: list[QuickError]) -> None:
        if isinstance(value, str) and regex.search(value) is None:
            found.append(fail(value, path, f"{value!r} does not match {spec!r}"))

    return step


def _x_bound(keyword: str, below: bool) -> Callable[[Any, dict[str, Any]], _Keyword | None]:
    def make(spec: Any, schema: dict[str, Any]) -> _Keyword | None:
        if not _number(spec):
            return None
        fail = _failure(keyword, spec, schema)
        words = "less than the minimum" if below else "greater than the maximum"

        def step(value: Any, path: tuple[Any, ...], found: list[QuickError]) -> None:
            if _number(value) and (value < spec if below else value > spec):
                found.append(fail(value, path, f"{value!r} is {words} of {spec!r}"))

        return step

    return make


def _x_length(keyword: str, short: bool) -> Callable[[Any, dict[str, Any]], _Keyword | None]:
    def make(spec: Any, schema: dict[str, Any]) -> _Keyword | None:
        if type(spec) is not int:
            return None
        fail = _failure(keyword, spec, schema)
        words = "is too short" if short else "is too long"

        def step(value: Any, path: tuple[Any, ...], found: list[QuickError]) -> None:
            if isinstance(value, str) and (len(value) < spec if short else len(value) > spec):
                found.append(fail(value, path, f"{value!r} {words}"))

        return step

    return make


def _x_any_of(spec: Any, schema: dict[str, Any]) -> _Keyword | None:
    if not isinstance(spec, list) or not spec:
        return None
    branches = [compile_explain(branch) for branch in spec]
    if any(b is None for b in branches):
        return None
    fail = _failure("anyOf", spec, schema)

    def step(value: Any, path: tuple[Any, ...], found: list[QuickError]) -> None:
        for branch in branches:
            if not branch(value, path):  # type: ignore[misc]
                return
        found.append(fail(value, path, f"{value!r} is not valid under any of the given schemas"))

    return step


def _x_additional(spec: Any, schema: dict[str, Any]) -> _Keyword | None:
    if "patternProperties" in schema:
        return None
    known = schema.get("properties", {})
    fail = _failure("additionalProperties", spec, schema)
    if spec is True:
        return lambda value, path, found: None
    if spec is False:

        def refuse(value: Any, path: tuple[Any, ...], found: list[QuickError]) -> None:
            if isinstance(value, dict):
                extras = sorted((p for p in value if p not in known), key=str)
                if extras:
                    verb = "was" if len(extras) == 1 else "were"
                    names = ", ".join(repr(e) for e in extras)
                    message = f"Additional properties are not allowed ({names} {verb} unexpected)"
                    found.append(fail(value, path, message))

        return refuse
    inner = compile_explain(spec)
    if inner is None:
        return None

    def each(value: Any, path: tuple[Any, ...], found: list[QuickError]) -> None:
        if isinstance(value, dict):
            for extra in value:
                if extra not in known:
                    found.extend(inner(value[extra], (*path, extra)))

    return each


def _x_required(spec: Any, schema: dict[str, Any]) -> _Keyword | None:
    if not isinstance(spec, list):
        return None
    fail = _failure("required", spec, schema)

    def step(value: Any, path: tuple[Any, ...], found: list[QuickError]) -> None:
        if isinstance(value, dict):
            for name in spec:
                if name not in value:
                    found.append(fail(value, path, f"{name!r} is a required property"))

    return step


def _x_properties(spec: Any, schema: dict[str, Any]) -> _Keyword | None:
    if not isinstance(spec, dict):
        return None
    inner = {name: compile_explain(sub) for name, sub in spec.items()}
    if any(e is None for e in inner.values()):
        return None

    def step(value: Any, path: tuple[Any, ...], found: list[QuickError]) -> None:
        if isinstance(value, dict):
            for name, explain in inner.items():
                if name in value:
                    found.extend(explain(value[name], (*path, name)))  # type: ignore[misc]

    return step


_EXPLAIN: dict[str, Callable[[Any, dict[str, Any]], _Keyword | None]] = {
    "type": _x_type,
    "enum": _x_enum,
    "pattern": _x_pattern,
    "minimum": _x_bound("minimum", below=True),
    "maximum": _x_bound("maximum", below=False),
    "minLength": _x_length("minLength", short=True),
    "maxLength": _x_length("maxLength", short=False),
    "anyOf": _x_any_of,
    "additionalProperties": _x_additional,
    "required": _x_required,
    "properties": _x_properties,
}
