"""Parsed copies of YAML texts (``smtpops.parse_cache``): a copy answers only for its very
text, exactly as a parse would; what cannot be kept exactly, or must not be kept, is not; a
corrupt or foreign copy is ignored. The end-to-end check (a repeated ``smtpops test`` loads no
YAML parser) is in tests/secrets/test_test_without_yaml.py."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from smtpops import parse_cache, yamlio, yamlparser

TEXT = "name: main\nhost: smtp.example.com\nport: 587\ntls: STARTTLS\nlist: [1, 2.5, true, null]\n"


def _copies(root: Path) -> list[Path]:
    return sorted((root / ".smtpops" / "cache" / "parsed").glob("*.json"))


def _parsed(text: str) -> yamlio.Document:
    """A parse that the cache cannot answer (outside parse_cache.used)."""
    return yamlio.loads(text)


def test_a_kept_text_is_answered_from_its_copy_exactly_as_parsed(tmp_path: Path) -> None:
    with parse_cache.used(str(tmp_path)):
        parse_cache.keep(_parsed(TEXT))
    (copy,) = _copies(tmp_path)
    expected = _parsed(TEXT)
    calls: list[str] = []
    real = yamlparser.compose

    def counting(text: str):  # type: ignore[no-untyped-def]
        calls.append(text)
        return real(text)

    yamlparser.compose = counting  # type: ignore[assignment]
    try:
        with parse_cache.used(str(tmp_path)):
            doc = yamlio.loads(TEXT)
            assert doc.data == expected.data and doc.text == TEXT
            assert calls == [], "the copy answered, nothing was parsed"
            assert yamlio.values(TEXT) == yamlparser.values(TEXT)
            doc.data["host"] = "changed"  # each answer is the caller's own
            assert yamlio.loads(TEXT).data["host"] == "smtp.example.com"
            # marks are read from the text on first use, as a parse gives them
            assert doc.keys == expected.keys and doc.values == expected.values
            assert calls == [TEXT]
            other = TEXT.replace("587", "465")
            assert yamlio.loads(other).data["port"] == 465  # another text: parsed
    finally:
        yamlparser.compose = real  # type: ignore[assignment]
    assert json.loads(copy.read_text())["digest"] == copy.stem


def test_no_copy_is_used_or_kept_outside_the_block(tmp_path: Path) -> None:
    with parse_cache.used(str(tmp_path)):
        parse_cache.keep(_parsed(TEXT))
    parse_cache.keep(_parsed(TEXT.replace("main", "other")))  # not in use: nothing written
    assert len(_copies(tmp_path)) == 1
    assert yamlio.RECALL.get() is None


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("name: x\nwhen: 2026-12-01\n", "a date, which JSON cannot hold"),
        ("name: x\n1: one\n", "a number as a key, which JSON turns into text"),
        ("name: x\nnull: empty\n", "safe_load keeps a null key, loads makes it 'None'"),
        ("name: x\nratio: .inf\n", "infinity, which JSON cannot hold"),
        ("- a\n- b\n", "not a mapping"),
    ],
)
def test_what_a_copy_could_not_give_back_exactly_is_not_kept(
    tmp_path: Path, text: str, why: str
) -> None:
    with parse_cache.used(str(tmp_path)):
        parse_cache.keep(_parsed(text))
        assert yamlio.loads(text).data == _parsed(text).data
    assert _copies(tmp_path) == [], why


def _forge(copy: Path, **fields: object) -> None:
    saved = json.loads(copy.read_text())
    copy.write_text(json.dumps(saved | fields))


@pytest.mark.parametrize(
    "forge",
    [
        lambda copy: _forge(copy, smtpops="0.0.0-other"),
        lambda copy: _forge(copy, format=999),
        lambda copy: _forge(copy, digest="0" * 64),
        lambda copy: _forge(copy, data=["not", "a", "mapping"]),
        lambda copy: copy.write_text("{not json"),
        lambda copy: copy.write_bytes(b"\xff\xfe"),
    ],
    ids=["version", "format", "digest", "data", "torn", "bytes"],
)
def test_a_foreign_or_corrupt_copy_is_ignored(tmp_path: Path, forge) -> None:  # type: ignore[no-untyped-def]
    with parse_cache.used(str(tmp_path)):
        parse_cache.keep(_parsed(TEXT))
    (copy,) = _copies(tmp_path)
    saved = json.loads(copy.read_text())
    saved["data"]["host"] = "forged.example.net"
    copy.write_text(json.dumps(saved))
    with parse_cache.used(str(tmp_path)):
        assert yamlio.loads(TEXT).data["host"] == "forged.example.net"  # control: it answers
    forge(copy)
    with parse_cache.used(str(tmp_path)):
        assert yamlio.loads(TEXT).data == _parsed(TEXT).data
        assert yamlio.values(TEXT) == yamlparser.values(TEXT)


def test_the_oldest_copies_go_beyond_the_limit(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(parse_cache, "MAX_COPIES", 3)
    with parse_cache.used(str(tmp_path)):
        for i in range(5):
            parse_cache.keep(_parsed(f"name: n{i}\n"))
            (copy,) = [c for c in _copies(tmp_path) if f"n{i}" in c.read_text()]
            os.utime(copy, ns=(i * 10**9, i * 10**9))
    kept = sorted(json.loads(c.read_text())["data"]["name"] for c in _copies(tmp_path))
    assert kept == ["n2", "n3", "n4"]


def test_an_unwritable_folder_goes_without(tmp_path: Path) -> None:
    (tmp_path / ".smtpops").write_text("a file where the folder would be")
    with parse_cache.used(str(tmp_path)):
        parse_cache.keep(_parsed(TEXT))
        assert yamlio.loads(TEXT).data == _parsed(TEXT).data


_scalars = st.one_of(
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=8),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.none(),
    st.dates(),
)
_values = st.recursive(
    _scalars,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.one_of(st.text(max_size=5), st.integers(), st.booleans()), inner, max_size=3
        )
    ),
    max_leaves=8,
)


@given(
    st.dictionaries(st.text(min_size=1, max_size=6), _values, min_size=1, max_size=4), st.booleans()
)
def test_whatever_is_kept_answers_as_a_parse_does(tmp_path_factory, data, flow: bool) -> None:  # type: ignore[no-untyped-def]
    """Any mapping PyYAML writes: either no copy is kept, or loads() and values() answer from
    it exactly (types included: 1, 1.0 and True are told apart) what a parse gives."""
    import yaml

    text = yaml.safe_dump(data, default_flow_style=flow, allow_unicode=True)
    try:
        parsed = _parsed(text)
    except yamlio.LoadError:
        return
    root = tmp_path_factory.mktemp("parsed")
    with parse_cache.used(str(root)):
        parse_cache.keep(parsed)
        kept = _copies(root)
        recalled, values = yamlio.loads(text).data, yamlio.values(text)
    exact = parse_cache._exact
    assert exact(recalled) == exact(parsed.data)
    assert exact(values) == exact(yamlparser.values(text))
    if kept:
        assert exact(json.loads(kept[0].read_text())["data"]) == exact(parsed.data)
