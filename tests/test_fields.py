"""The schema is the one source of truth for the fields: what derives from it matches it,
and every hand-written copy that cannot be derived cheaply fails here when it drifts."""

from __future__ import annotations

import dataclasses
from collections import Counter

from smtpops import model, scaffold, schema
from smtpops.review import fields as review_fields
from smtpops.rules import RULES
from smtpops.rules.examples import BASE

PROPERTIES = schema.properties()


def test_model_fields_defaults_and_choices_come_from_the_schema() -> None:
    assert tuple(PROPERTIES) == model.FIELDS + model.METADATA_FIELDS
    assert model.METADATA_FIELDS == ("password_binding", "sops")
    for name, value in model.DEFAULTS.items():
        assert PROPERTIES[name]["default"] == value
    assert tuple(PROPERTIES["tls"]["enum"]) == model.TLS_MODES
    assert tuple(PROPERTIES["auth_protocol"]["enum"]) == model.AUTH_PROTOCOLS


def test_the_config_record_has_one_attribute_per_field() -> None:
    attributes = [f.name for f in dataclasses.fields(model.Config)]
    assert attributes == list(model.FIELDS), "add the new field to model.Config and from_raw"


def test_every_default_is_what_the_config_reads_from_an_empty_file() -> None:
    config = model.Config.from_raw({})
    for name, value in model.DEFAULTS.items():
        assert getattr(config, name) == value, name


def test_every_field_has_exactly_one_schema_rule() -> None:
    covered = Counter(f for r in RULES.values() if r.kind == "schema" for f in r.fields)
    assert set(covered) == set(PROPERTIES), "name the field in one rule of rules/fields.py"
    assert [f for f, n in covered.items() if n > 1] == []


def test_the_unknown_field_rule_lists_the_fields() -> None:
    assert RULES["SCHEMA001"].references == ("Fields: " + ", ".join(model.FIELDS),)


def test_secret_fields_are_the_schemas_write_only_fields() -> None:
    assert {"password", "oauth"} == schema.SECRET_FIELDS
    for name in schema.SECRET_FIELDS:
        change = review_fields.changes({name: "ENC[a]"}, {name: "ENC[b]"})[0]
        assert change.hidden and "ENC[" not in change.describe()


def test_a_nested_write_only_field_makes_its_top_level_field_secret(monkeypatch) -> None:
    nested = {"type": "object", "properties": {"client_secret": {"writeOnly": True}}}
    monkeypatch.setitem(PROPERTIES, "future_block", nested)
    assert "future_block" in schema.secret_fields()


def test_hand_written_field_lists_name_real_fields() -> None:
    assert set(scaffold.RESERVED) <= set(PROPERTIES)
    assert set(review_fields.SECURITY_FIELDS) - {"recipients"} <= set(PROPERTIES)
    assert set(scaffold.SETTABLE) == set(model.FIELDS) - set(scaffold.RESERVED)


def test_the_doc_examples_base_uses_only_schema_fields() -> None:
    import yaml

    assert set(yaml.safe_load(BASE)) <= set(PROPERTIES)


def test_the_oauth_record_has_one_attribute_per_readable_oauth_field() -> None:
    inner = PROPERTIES["oauth"]["properties"]
    attributes = [f.name for f in dataclasses.fields(model.OAuthSettings)]
    readable = [k for k in inner if not inner[k].get("writeOnly")]
    assert attributes == [*readable, "secrets"], "add the oauth field to OAuthSettings"
    assert tuple(k for k in inner if inner[k].get("writeOnly")) == model.OAUTH_SECRET_FIELDS
