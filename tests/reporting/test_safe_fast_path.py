"""The escaper's fast path (printable text is returned as it is) skips nothing it escapes."""

from __future__ import annotations

from smtpops.reporters import safe


def test_every_character_the_escaper_escapes_is_not_printable():
    escaped = [chr(c) for c in range(0x110000) if safe._pattern(False).match(chr(c))]
    assert escaped and not [c for c in escaped if c.isprintable()]
    assert safe.visible("plain text: é ü 日本") == "plain text: é ü 日本"
    assert safe.visible("a\u202eb") == "a\\u202eb"
