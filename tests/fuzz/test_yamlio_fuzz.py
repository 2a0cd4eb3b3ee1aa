"""The YAML loader on random bytes and YAML-ish text: a Document or a LoadError, nothing else."""

from __future__ import annotations

import os
import tempfile

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from smtpops import yamlio
from tests.fuzz.strategies import configs, mutated, yaml_text

LIBYAML = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the parser yamlio uses


def _check(doc: yamlio.Document) -> None:
    for mark in (*doc.values.values(), *doc.keys.values()):
        assert mark.line >= 1 and mark.column >= 1


def load_text(text: str) -> None:
    try:
        doc = yamlio.loads(text)
    except yamlio.LoadError as exc:
        assert exc.kind in ("syntax", "duplicate", "aliases", "size", "tag", "encoding")
        assert exc.message
    else:
        _check(doc)


@given(st.binary(max_size=2000))
def test_random_bytes_as_text(data: bytes) -> None:
    load_text(data.decode("utf-8", "replace"))
    load_text(data.decode("latin-1"))
    load_text(data.decode("utf-8", "surrogateescape"))


@given(st.binary(max_size=2000))
def test_random_bytes_from_a_file(data: bytes) -> None:
    fd, path = tempfile.mkstemp(suffix=".yaml")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        try:
            _check(yamlio.load_path(path))
        except yamlio.LoadError as exc:
            assert exc.message
    finally:
        os.unlink(path)


@given(yaml_text)
def test_yaml_ish_text(text: str) -> None:
    load_text(text)


@given(st.text(alphabet=st.characters(categories=["Cs", "Cc", "Co", "Zs"]), max_size=50))
def test_surrogates_and_control_characters(text: str) -> None:
    load_text(text)
    load_text(f"host: {text}\n")
    load_text(f'host: "{text}"\n')


def test_lone_surrogate_is_a_load_error_not_a_crash():
    """Regression: the C parser raised UnicodeEncodeError on text holding a lone surrogate."""
    with pytest.raises(yamlio.LoadError) as caught:
        yamlio.loads("host: \udc80\n")
    assert caught.value.kind == "encoding"


@given(configs())
def test_values_match_pyyaml(data: dict) -> None:
    """The loader builds the same values PyYAML's safe loader does (its fast paths included)."""
    text = yaml.safe_dump(data, allow_unicode=True)
    assert repr(yamlio.loads(text).data) == repr(yaml.load(text, Loader=LIBYAML))


@given(mutated())
def test_values_match_pyyaml_on_mutated_files(text: str) -> None:
    try:
        doc = yamlio.loads(text)
    except yamlio.LoadError:
        return
    expected = yaml.load(text, Loader=LIBYAML)
    if isinstance(expected, dict) and all(type(k) is str for k in expected):
        assert repr(doc.data) == repr(expected)
