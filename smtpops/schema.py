"""The JSON Schema of a config file, and its errors turned into plain findings.

The schema is the one source of truth for the fields: which exist and in what order, their
defaults and allowed values, which hold a secret (``writeOnly``, never shown) and which are
written by tools (``readOnly``, e.g. ``sops``). :mod:`smtpops.model` and the rest derive
from the functions below; tests/test_fields.py fails when a hand-written copy drifts.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from smtpops.resources import schema_file
from smtpops.schema_quick import compile_check


@dataclass(frozen=True, slots=True)
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


def _describe(error: Any, field: str) -> str:
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


def check(data: dict[str, Any]) -> list[SchemaProblem]:
    """Every schema failure of ``data`` (a mapping), one per field, in a stable order."""
    problems: list[SchemaProblem] = []
    props = properties()
    required = schema().get("required", [])
    seen: set[str] = set()
    for name in required:
        if name not in data or data[name] is None:
            problems.append(SchemaProblem(name, (), f"'{name}' is missing"))
            seen.add(name)
    for name in data:
        if name not in props:
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
    if _surely_valid(data, seen):
        return problems  # jsonschema would find nothing more
    for error in sorted(_validator().iter_errors(data), key=lambda e: list(map(str, e.path))):
        if not error.path:
            continue  # required / additionalProperties handled above
        field = str(error.path[0])
        if field in seen:
            continue
        seen.add(field)
        problems.append(SchemaProblem(field, tuple(error.path)[:1], _describe(error, field)))
    return problems
