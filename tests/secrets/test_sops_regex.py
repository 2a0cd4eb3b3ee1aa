"""sops patterns: the plain ones matched with Python's ``re`` give RE2's answer (compared with
RE2 itself on generated patterns and paths); every other pattern still goes to RE2."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import pytest
import re2
from hypothesis import given, settings
from hypothesis import strategies as st

from smtpops.encryption import sops_regex

_OPTIONS = re2.Options()
_OPTIONS.log_errors = False

LITERALS = "ab/._-é Z"  # what paths and field names hold, and one letter beyond ASCII
TEXTS = st.text(alphabet="ab/._-é\nZc", max_size=12)


def _re2(pattern: str, text: str) -> bool:
    return re2.compile(pattern, _OPTIONS).search(text) is not None


def _class() -> st.SearchStrategy[str]:
    member = st.sampled_from(LITERALS.replace("-", "")) | st.sampled_from(["a-b", "a-z", "/-a"])
    members = st.lists(member, min_size=1, max_size=3).map("".join)
    return st.builds(lambda neg, body: f"[{'^' if neg else ''}{body}]", st.booleans(), members)


ATOMS = st.sampled_from(list(LITERALS)) | st.sampled_from([r"\.", r"\/", r"\-", "."]) | _class()
QUANTIFIED = st.builds(lambda atom, q: atom + q, ATOMS, st.sampled_from(["", "", "*", "+", "?"]))
ANCHORS = st.sampled_from(["^", "$"])


def _patterns() -> st.SearchStrategy[str]:
    def extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        group = st.lists(inner, min_size=1, max_size=3).map(lambda alts: f"({'|'.join(alts)})")
        return st.lists(QUANTIFIED | ANCHORS | group, max_size=4).map("".join)

    sequence = st.lists(QUANTIFIED | ANCHORS, max_size=4).map("".join)
    branch = st.recursive(sequence, extend, max_leaves=6)
    return st.lists(branch, min_size=1, max_size=3).map("|".join)


@pytest.fixture(autouse=True)
def _fresh_caches() -> Iterator[None]:
    sops_regex.search.cache_clear()
    yield
    sops_regex.search.cache_clear()


@settings(max_examples=400, deadline=None)
@given(_patterns(), st.lists(TEXTS, min_size=1, max_size=6))
def test_a_plain_pattern_means_in_re_what_it_means_in_re2(pattern: str, texts: list[str]) -> None:
    translated = sops_regex.translate(pattern)
    assert translated is not None, pattern
    assert sops_regex.valid(pattern)
    compiled = re.compile(translated.pattern)
    for text in [*texts, *(t + "\n" for t in texts)]:  # re's $ would match before a final \n
        expected = _re2(pattern, text)
        assert (compiled.search(text) is not None) == expected, (pattern, text)
        assert sops_regex.search(pattern, text) == expected, (pattern, text)


def test_the_repositorys_own_patterns_are_plain() -> None:
    for pattern in (
        r"^configs/production/[^/]+\.ya?ml$",
        "^(password|password_binding|client_secret|private_key|refresh_token|service_account_key)$",
    ):
        translated = sops_regex.translate(pattern)
        assert translated is not None and translated.bounded


def test_dollar_is_the_end_of_the_text_only() -> None:
    assert not sops_regex.search(r"\.yaml$", "a.yaml\n")
    assert sops_regex.search(r"\.yaml$", "a.yaml")


OUTSIDE = [
    r"(a|a)*$x",  # a repeated group: exponential in re
    r"a{2}",
    r"(?i)a",
    r"(?:a)",
    r"\d",
    r"\w+",
    r"a*?",
    r"a**",
    r"*a",
    r"^*",
    r"[[:alpha:]]",
    r"[\d]",
    r"[a-]",
    r"[]a]",
    r"[^]a]",
    r"[z-a]",
    r"[a&&b]",
    r"a)",
    r"(a",
    "a\\",
    "tab\there",
    r"\p{L}",
    r"a(?=b)",
    r"(a)\1",
]


@pytest.mark.parametrize("pattern", OUTSIDE)
def test_a_pattern_outside_the_subset_goes_to_re2(pattern: str, monkeypatch: Any) -> None:
    asked: list[str] = []
    real = sops_regex._compile

    def spy(asked_for: str) -> Any:
        asked.append(asked_for)
        return real(asked_for)

    monkeypatch.setattr(sops_regex, "_compile", spy)
    assert sops_regex.translate(pattern) is None
    try:
        expected = re2.compile(pattern, _OPTIONS).search("aab") is not None
    except (re2.error, TypeError, ValueError):
        expected = False  # what RE2 cannot compile matches nothing, as it fails in sops
    assert sops_regex.search(pattern, "aab") is expected
    assert asked == [pattern]


@pytest.mark.parametrize(
    "pattern",
    [".*.*x", "a+b*", "(a|b)(a|b)(a|b)(a|b)(a|b)(a|b)x", "a?a?a?a?a?a?x"],
)
def test_a_plain_pattern_that_could_backtrack_long_goes_to_re2(
    pattern: str, monkeypatch: Any
) -> None:
    translated = sops_regex.translate(pattern)
    assert translated is not None and not translated.bounded
    asked: list[str] = []
    monkeypatch.setattr(sops_regex, "_compile", lambda p: asked.append(p) or re2.compile(p))
    sops_regex.search(pattern, "aaab")
    assert asked == [pattern]


def test_a_long_or_unencodable_text_goes_to_re2(monkeypatch: Any) -> None:
    asked: list[str] = []
    real = sops_regex._compile
    monkeypatch.setattr(sops_regex, "_compile", lambda p: asked.append(p) or real(p))
    assert sops_regex.search("a.*b", "a" * 600 + "b")
    with pytest.raises(UnicodeEncodeError):  # as before: RE2 cannot take a lone surrogate
        sops_regex.search("a.*b", "a\udcffb")
    assert asked == ["a.*b", "a.*b"]


def test_the_worst_plain_pattern_is_still_quick() -> None:
    pattern = "(a|a)(a|a)(a|a)(a|a)(a|a)a*b"
    translated = sops_regex.translate(pattern)
    assert translated is not None and translated.bounded
    started = time.perf_counter()
    assert not sops_regex.search(pattern, "a" * 512)
    assert time.perf_counter() - started < 1.0


def test_a_plain_pattern_does_not_load_re2() -> None:
    code = (
        "import sys\n"
        "from smtpops.encryption import sops_regex\n"
        r"assert sops_regex.search(r'^configs/production/[^/]+\.ya?ml$', 'configs/production/a.yaml')"
        "\nassert 're2' not in sys.modules, 'loaded re2'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
