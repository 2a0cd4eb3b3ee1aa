"""Make user-supplied text safe to show: messages quote values from config files, which may
hold control characters, terminal escape sequences, bidi overrides or lone surrogates.

Each such character is replaced by its ``\\xNN``/``\\uNNNN`` escape, so a value cannot
repaint a terminal, inject a CI workflow command on a new line, break an XML document or
crash the write to a UTF-8 stream.
"""

from __future__ import annotations

import re

_UNSAFE = (
    "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"  # C0 (but tab, LF, CR), DEL, C1
    "\u200e\u200f\u202a-\u202e\u2066-\u2069"  # bidi marks and overrides
    "\ud800-\udfff\ufffe\uffff"  # lone surrogates, non-characters
)
_ALL = re.compile(f"[\t\n\r{_UNSAFE}]")
_KEEP_LINES = re.compile(f"[{_UNSAFE}]")


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str, *, keep_lines: bool = False) -> str:
    """``text`` with every unsafe character escaped (tab, CR and LF too unless ``keep_lines``)."""
    if text.isprintable():  # no control, format (bidi), surrogate or unassigned character
        return text
    return (_KEEP_LINES if keep_lines else _ALL).sub(_escape, text)
