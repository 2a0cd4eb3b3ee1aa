"""The schema's fast path never calls a value valid that jsonschema rejects, and schema.check
gives the same findings with and without it."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from smtpops import schema
from smtpops.schema_quick import compile_check
from tests.fuzz.strategies import FIELDS, configs, values

FIELD_VALUES = st.sampled_from(FIELDS).flatmap(lambda f: st.tuples(st.just(f), values))


@given(FIELD_VALUES)
def test_quick_valid_implies_jsonschema_valid(field_value: tuple[str, Any]) -> None:
    field, value = field_value
    sub = schema.properties()[field]
    if compile_check(sub)(value):
        assert not list(Draft202012Validator(sub).iter_errors(value)), (field, value)


@pytest.mark.parametrize(
    "field, value",
    [("port", 587), ("tls", "STARTTLS"), ("idle_timeout", "30s"), ("idle_timeout", 30),
     ("custom_headers", {"X-A": 1}), ("custom_headers", "X-A: 1"), ("name", "main")],
)  # fmt: skip
def test_quick_check_accepts_common_valid_values(field: str, value: Any) -> None:
    assert compile_check(schema.properties()[field])(value)


@pytest.mark.parametrize(
    "field, value",
    [("port", True), ("port", 0), ("port", 587.0), ("tls", "starttls"), ("idle_timeout", "5s"),
     ("custom_headers", {"X-A": None}), ("name", "-x"), ("host", "")],
)  # fmt: skip
def test_quick_check_sends_invalid_values_to_jsonschema(field: str, value: Any) -> None:
    assert not compile_check(schema.properties()[field])(value)


def test_unknown_keywords_are_never_quick():
    assert not compile_check({"type": "string", "format": "email"})("x")
    assert not compile_check({"type": "decimal"})(1)


@given(configs())
def test_same_findings_with_and_without_the_fast_path(data: dict[str, Any]) -> None:
    quick = schema.check(data)
    checks = schema._quick_checks()
    saved = dict(checks)
    try:
        checks.clear()  # every field unknown to the fast path: jsonschema decides
        slow = schema.check(data)
    finally:
        checks.update(saved)
    assert quick == slow
