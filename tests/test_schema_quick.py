"""The schema's errors found without jsonschema (``schema_quick.compile_explain``) are
exactly jsonschema's: compared on generated configs, valid and broken."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from smtpops import schema

FIELDS = list(schema.properties())
OAUTH_FIELDS = list(schema.properties()["oauth"].get("properties", {}))
ENUMS = [v for name in ("tls", "auth_protocol") for v in schema.choices(name)]


def _bounds(sub: Any) -> set[int]:
    """Every minimum and maximum in the schema, and its neighbours: where a check can be off."""
    found: set[int] = set()
    if isinstance(sub, dict):
        for key, value in sub.items():
            if key in ("minimum", "maximum") and isinstance(value, int):
                found |= {value - 1, value, value + 1}
            found |= _bounds(value)
    elif isinstance(sub, list):
        for value in sub:
            found |= _bounds(value)
    return found


BOUNDS = sorted(_bounds(schema.schema()))

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-5, max_value=1000),
    st.sampled_from(BOUNDS),
    st.sampled_from(BOUNDS).map(float),
    st.floats(allow_nan=False, allow_infinity=False, min_value=-10, max_value=500),
    st.sampled_from([*ENUMS, "", " ", "60s", "5s", "300 s", "x" * 300, "smtp.example.com"]),
    st.sampled_from(["a@example.com", "ENC[AES256_GCM,data:x,iv:y,tag:z,type:str]", "301s"]),
    st.text(max_size=12),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.sampled_from([*OAUTH_FIELDS, "X-Dept", "extra", 3]), inner, max_size=4),
    ),
    max_leaves=6,
)


def _field_values(name: str) -> st.SearchStrategy[Any]:
    """Anything, often a value at the edge of what this field allows."""
    edges = sorted(_bounds(schema.properties()[name]))
    near = [st.sampled_from(edges), st.sampled_from(edges).map(float)] if edges else []
    return st.one_of(values, *near)


oauth = st.dictionaries(st.sampled_from([*OAUTH_FIELDS, "extra"]), values, max_size=5)
configs = st.fixed_dictionaries(
    {},
    optional={
        **{name: _field_values(name) for name in FIELDS},
        "hots": values,
        "other": values,
    },
).flatmap(lambda d: st.one_of(st.just(d), oauth.map(lambda o: {**d, "oauth": o})))


def _shown(problems: list[schema.SchemaProblem]) -> list[tuple[Any, ...]]:
    return [(p.field, p.path, p.message, p.unknown, p.suggestion) for p in problems]


@settings(max_examples=400, deadline=None)
@given(configs)
def test_quick_errors_are_jsonschemas(data: dict[str, Any]) -> None:
    assert _shown(schema.check(data)) == _shown(schema.check(data, use_jsonschema=True))


def test_the_bundled_schema_needs_no_jsonschema() -> None:
    """The config schema uses only what schema_quick can explain (else every broken config
    would load jsonschema again: ~60 ms)."""
    assert schema._explainers() is not None


def test_a_broken_config_does_not_load_jsonschema() -> None:
    code = (
        "import sys; from smtpops import schema\n"
        "found = schema.check({'host': 5, 'port': 0, 'tls': 'None', 'idle_timeout': '5s',"
        " 'oauth': {'flow': 'x', 'extra': 1}})\n"
        "assert found, found\n"
        "print('jsonschema' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def _found(data: dict[str, Any], use_jsonschema: bool) -> list[tuple[Any, ...]]:
    errors = schema._errors(data, set(), use_jsonschema)
    return sorted(
        ((tuple(map(str, e.path)), e.validator, repr(e.validator_value)) for e in errors if e.path),
    )


@settings(max_examples=400, deadline=None)
@given(configs)
def test_every_error_is_jsonschemas(data: dict[str, Any]) -> None:
    """Not only the first per field: every error under a field, even where the fast path
    would have said 'surely valid' before any error was looked for."""
    assert _found(data, False) == _found(data, True)
