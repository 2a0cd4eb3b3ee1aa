"""The one output escaper: make text from config files, git and servers safe to show.

Every formatter (validate's text, GitHub, JUnit and SARIF reports, ``diff`` as text and
Markdown, ``history``, ``status``, the connection test, error messages) passes the values it did
not write itself through :func:`visible`; it lives with the reporters, which may depend on
nothing but diagnostics, and the others import it from here. Those values may hold control characters, terminal escape
sequences (an OSC title, cursor-up and erase-line), BEL, a bare CR that returns to the start of
the line, bidi overrides (U+202E shows text reversed), invisible characters, lone surrogates.

Each such character is replaced by its ``\\xNN``/``\\uNNNN`` escape, so a value cannot repaint
a terminal, make a reviewer read something other than what will merge, inject a CI workflow
command on a new line, break an XML document or crash the write to a UTF-8 stream.
"""

from __future__ import annotations

import re
from functools import lru_cache

__all__ = ["visible"]

_UNSAFE = (
    "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"  # C0 (but tab, LF, CR), DEL, C1 (CSI, OSC...)
    "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"  # bidi marks, embeddings, overrides, isolates
    "\u200b\u2028\u2029\u2060\ufeff"  # zero-width space, line/paragraph separators, joiners, BOM
    "\ud800-\udfff\ufffe\uffff"  # lone surrogates, non-characters
    "\U000e0000-\U000e007f"  # tag characters: invisible text
)


@lru_cache(maxsize=2)
def _pattern(keep_lines: bool) -> re.Pattern[str]:
    """What to escape; compiled on first need (1 ms: most output is printable already)."""
    return re.compile(f"[{_UNSAFE}]|\r(?!\n)" if keep_lines else f"[\t\n\r{_UNSAFE}]")


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def visible(text: str, *, keep_lines: bool = False) -> str:
    """``text`` with every unsafe character escaped: tab, CR and LF too, unless ``keep_lines``
    (then LF and CRLF stay, and only a CR not followed by LF is escaped)."""
    if text.isprintable():  # no control, format (bidi, zero-width), separator or surrogate
        return text
    return _pattern(keep_lines).sub(_escape, text)
