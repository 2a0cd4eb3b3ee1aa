"""The JSON Schema of a config file, and its errors turned into plain findings.

The schema is the one source of truth for the fields: which exist and in what order, their
defaults and allowed values, which hold a secret (``writeOnly``, never shown) and which are
written by tools (``readOnly``, e.g. ``sops``). :mod:`smtpops.model` and the rest derive
from the functions below; tests/test_fields.py fails when a hand-written copy drifts.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from smtpops.records import record
from smtpops.resources import schema_file
from smtpops.schema_quick import Explain, QuickError, compile_check, compile_explain


@record(frozen=True)
class SchemaProblem:
    """One schema failure: which top-level field, the exact path, and what is wrong."""

    field: str | None
    path: tuple[str | int, ...]
    message: str
    unknown: bool = False
    suggestion: str | None = None


@lru_cache(maxsize=1)
def schema() -> dict[str, Any]:
    with open(schema_file(), encoding="utf-8") as handle:
        return json.load(handle)  # type: ignore[no-any-return]


_TOP_KEYWORDS = {"$schema", "$id", "title", "description", "type", "required"}


@lru_cache(maxsize=1)
def _explainers() -> dict[str, Explain] | None:
    """Per field, the errors jsonschema would report under it (``schema_quick``); None when
    the schema holds anything whose errors only jsonschema can tell. The top level's own
    errors (required, additional fields, the if/then/else of ``allOf``) have no path: they
    are the missing and unknown fields ``check`` reports itself."""
    top = schema()
    for keyword, spec in top.items():
        if keyword in _TOP_KEYWORDS or keyword == "properties":
            continue
        if keyword == "additionalProperties" and isinstance(spec, bool):
            continue
        if keyword == "allOf" and all(
            set(branch) <= {"if", "then", "else"}
            and all(set(branch.get(k, {})) <= {"required"} for k in ("then", "else"))
            for branch in spec
        ):
            continue
        return None
    found = {name: compile_explain(sub) for name, sub in properties().items()}
    if any(explain is None for explain in found.values()):
        return None
    return found  # type: ignore[return-value]


def _errors(data: dict[str, Any], seen: set[str], use_jsonschema: bool) -> list[Any]:
    """The errors under the fields of ``data`` not yet reported (in ``seen``), jsonschema's
    or (the same, without loading jsonschema) ``schema_quick``'s."""
    explainers = None if use_jsonschema else _explainers()
    if explainers is None:
        return list(_validator().iter_errors(data))
    found: list[QuickError] = []
    for name, value in data.items():
        explain = explainers.get(name) if name not in seen else None
        if explain is not None:
            found.extend(explain(value, (name,)))
    return found


@lru_cache(maxsize=1)
def _validator() -> Any:
    # lazy: jsonschema is heavy: only a config that fails the fast path loads it (CLI start-up stays light)
    from jsonschema import Draft202012Validator

    return Draft202012Validator(schema())


def properties() -> dict[str, Any]:
    return schema()["properties"]  # type: ignore[no-any-return]


def _holds(subschema: Any, keyword: str) -> bool:
    """Whether ``subschema`` or anything nested in it carries ``keyword: true``."""
    if isinstance(subschema, dict):
        return subschema.get(keyword) is True or any(_holds(v, keyword) for v in subschema.values())
    if isinstance(subschema, list):
        return any(_holds(v, keyword) for v in subschema)
    return False


def fields() -> tuple[str, ...]:
    """The fields a person writes, in the schema's order (tool-written ones left out)."""
    return tuple(name for name, sub in properties().items() if sub.get("readOnly") is not True)


def tool_fields() -> tuple[str, ...]:
    """Fields tools write (``readOnly``), e.g. the ``sops`` block."""
    return tuple(name for name, sub in properties().items() if sub.get("readOnly") is True)


def secret_fields() -> frozenset[str]:
    """Top-level fields that hold a secret anywhere inside (``writeOnly``): never shown."""
    return frozenset(name for name, sub in properties().items() if _holds(sub, "writeOnly"))


def secret_subfields(name: str) -> tuple[str, ...]:
    """The ``writeOnly`` properties inside the mapping field ``name`` (e.g. the oauth block's
    client_secret), in the schema's order."""
    inner = properties().get(name, {}).get("properties", {})
    return tuple(k for k, sub in inner.items() if isinstance(sub, dict) and sub.get("writeOnly"))


def defaults() -> dict[str, Any]:
    """Each field's ``default``, as the spec gives it."""
    return {name: sub["default"] for name, sub in properties().items() if "default" in sub}


def choices(name: str) -> tuple[str, ...]:
    """The allowed values of an ``enum`` field (e.g. ``tls``, ``auth_protocol``)."""
    return tuple(properties()[name]["enum"])


@lru_cache(maxsize=1)
def _quick_checks() -> dict[str, Any]:

    return {name: compile_check(sub) for name, sub in properties().items()}


SECRET_FIELDS = secret_fields()
NESTED_FIELDS = frozenset({"oauth"})  # mappings whose errors name the sub-field, never a value


def required_fields(data: dict[str, Any]) -> list[str]:
    """The fields ``data`` must have: the schema's ``required`` plus those of each ``allOf``
    if/then/else whose condition (plain property checks) holds or fails."""
    found = list(schema().get("required", []))
    for branch in schema().get("allOf", []):
        condition = branch.get("if", {})
        holds = all(name in data for name in condition.get("required", [])) and all(
            name not in data or compile_check(sub)(data[name])
            for name, sub in condition.get("properties", {}).items()
        )
        found += branch.get("then" if holds else "else", {}).get("required", [])
    return found


def _describe_nested(error: Any, field: str) -> str:
    """An error inside a mapping such as ``oauth``: the sub-field and what it takes, no value
    (the block holds secrets)."""
    path = ".".join(str(p) for p in error.path) or field
    sub = error.schema if isinstance(error.schema, dict) else {}
    kind = error.validator
    if kind == "additionalProperties":
        extra = sorted(set(error.instance) - set(sub.get("properties", {})), key=str)
        allowed = ", ".join(sub.get("properties", {}))
        return f"'{path}' has the unknown field(s) {', '.join(map(str, extra))}; it takes {allowed}"
    if kind == "required":
        return f"'{path}': {error.message.split(' is a ')[0]} is missing"
    if kind == "enum":
        return f"'{path}' must be one of: {', '.join(map(str, error.validator_value))}"
    if kind == "type":
        return f"'{path}' must be {error.validator_value}"
    if kind == "pattern":
        return f"'{path}' is not in the expected form ({sub.get('description', '')})".replace(
            " ()", ""
        )
    if kind in ("minLength", "maxLength"):
        return f"'{path}' is empty or too long"
    return f"'{path}' is not valid here"


def _describe(error: Any, field: str) -> str:
    if field in NESTED_FIELDS:
        return _describe_nested(error, field)
    if field in SECRET_FIELDS:
        # never echo a value that may be a plaintext password
        return f"'{field}' must be text: the ENC[...] value that sops writes"
    prop = properties().get(field, {})
    value = error.instance
    shown = repr(value) if not isinstance(value, str) else f"'{value}'"
    if len(shown) > 60:
        shown = shown[:57] + "..."
    kind = error.validator
    if kind == "type" or (kind == "anyOf" and prop.get("anyOf")):
        return f"'{field}' has the value {shown}, which is not allowed here"
    if kind == "enum":
        allowed = ", ".join(str(v) for v in error.validator_value)
        return f"'{field}' is {shown}; it must be one of: {allowed}"
    if kind in ("minimum", "maximum"):
        lo, hi = prop.get("minimum"), prop.get("maximum")
        return f"'{field}' is {shown}; it must be between {lo} and {hi}"
    if kind == "maxLength":
        return f"'{field}' is {len(value)} characters long; at most {error.validator_value} allowed"
    if kind == "minLength":
        return f"'{field}' is empty"
    if kind == "pattern":
        return f"'{field}' has the value {shown}, which is not in the expected form"
    return f"'{field}': {error.message}"


def _surely_valid(data: dict[str, Any], seen: set[str]) -> bool:
    """Whether every known field passes the fast path (see ``schema_quick``)."""
    quick = _quick_checks()
    for name, value in data.items():
        if name in seen:
            continue
        check = quick.get(name)
        if check is None or not check(value):
            return False
    return True


def check(data: dict[str, Any], *, use_jsonschema: bool = False) -> list[SchemaProblem]:
    """Every schema failure of ``data`` (a mapping), one per field, in a stable order.
    ``use_jsonschema``: let jsonschema itself find them (the tests compare both ways)."""
    problems: list[SchemaProblem] = []
    props = properties()
    required = required_fields(data)
    seen: set[str] = set()
    for name in required:
        if name not in data or data[name] is None:
            problems.append(SchemaProblem(name, (), f"'{name}' is missing"))
            seen.add(name)
    for name in data:
        if name not in props:
            # lazy(start-up): difflib (heapq, ~3 ms) only for a name to correct
            import difflib

            close = difflib.get_close_matches(str(name), list(props), n=1, cutoff=0.6)
            problems.append(
                SchemaProblem(
                    str(name),
                    (name,),
                    f"'{name}' is not a field smtpops knows",
                    unknown=True,
                    suggestion=close[0] if close else None,
                )
            )
            seen.add(str(name))
    if _surely_valid(data, seen) and not use_jsonschema:
        return problems  # jsonschema would find nothing more
    for error in sorted(_errors(data, seen, use_jsonschema), key=lambda e: list(map(str, e.path))):
        if not error.path:
            continue  # required / additionalProperties handled above
        field = str(error.path[0])
        if field in seen:
            continue
        seen.add(field)
        where = tuple(error.path) if field in NESTED_FIELDS else tuple(error.path)[:1]
        problems.append(SchemaProblem(field, where, _describe(error, field)))
    return problems
