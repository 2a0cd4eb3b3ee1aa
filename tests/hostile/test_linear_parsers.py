"""The linear-time parsers find exactly what the backtracking regexes they replace found (the
old regexes serve as the reference here, on inputs short enough for them)."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from smtpops import suppressions
from smtpops.encryption import leaks
from smtpops.model import parse_duration
from smtpops.rules import headers

OLD_PASSWORD = re.compile(
    r"\b(?:pass(?:word|wd)?|pwd|secret|token|api[_-]?key)[ \t]*[:=][ \t]*"
    r"(?=\S*[0-9!@#$%^&*_+=?~])\S{6,}",
    re.I,
)
OLD_MARKUP = re.compile(
    r"<\s*/?\s*(script|iframe|object|embed|svg|img|style|link|meta|form)\b|javascript\s*:|"
    r"vbscript\s*:|data\s*:\s*text/html|\bon[a-z]+\s*=|<\?php",
    re.IGNORECASE,
)
OLD_DURATION = re.compile(r"^\s*([0-9]{1,9})\s*s?\s*$")
OLD_COMMENT = re.compile(r"(?:^|\s)#\s*smtpops:\s*ignore\[([^\]]*)\]\s*(.*)$")


def pieces(*bits: str) -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(bits) | st.text(max_size=3), max_size=14).map("".join)


@given(pieces("pass", "password", "PWD", "secret", "token", "api_key", "apikey", ":", "=",
              " ", "\t", "x", "1", "!", "ab", "\n", "é", "passwd", "-"))  # fmt: skip
def test_password_written_out_matches_the_old_regex(line: str) -> None:
    assert leaks._password_written_out(line, 0, len(line)) == bool(OLD_PASSWORD.search(line))


@given(pieces("<", "/", " ", "\t", "script", "SCRIPT", "img", "x", "javascript", ":",
              "data", "text/html", "on", "click", "=", "<?php", "é", "_", "-"))  # fmt: skip
def test_markup_matches_the_old_regex(value: str) -> None:
    assert bool(headers._MARKUP.search(value)) == bool(OLD_MARKUP.search(value))


@given(pieces("1", "0", "9", " ", "\t", "s", "S", "\n", "\u00a0", "１", "x", "-", "+"))
def test_duration_matches_the_old_regex(value: str) -> None:
    old = OLD_DURATION.match(value)
    assert parse_duration(value) == (int(old.group(1)) if old else None)


@given(
    pieces("#", " ", "smtpops:", "ignore[", "]", "PORT005", ",", "reason", "x", "\t").filter(
        lambda line: "\n" not in line  # one line, as suppressions.parse gives it
    )
)
def test_suppression_comment_matches_the_old_regex(line: str) -> None:
    old = OLD_COMMENT.search(line)
    new = suppressions._comment(line)
    if old is None:
        assert new is None
    else:
        assert new == (old.start(), old.group(1), old.group(2).strip())
