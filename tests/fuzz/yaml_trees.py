"""Hypothesis strategies for hostile YAML written out by hand (not by yaml.dump, which only
writes what it can read back): random trees of mappings and sequences of any depth (past the
loader's limit too) and width, in block or flow style, with every YAML 1.1 scalar type written
every way it can be, explicit tags that fit their value and tags that do not, anchors,
aliases (defined, undefined, nested), merge keys, and config field names among the keys."""

from __future__ import annotations

import json

from hypothesis import strategies as st

from tests.fuzz.strategies import FIELDS

TAGS = (
    "!!str", "!!int", "!!float", "!!bool", "!!null", "!!timestamp", "!!binary", "!!map",
    "!!seq", "!!set", "!!omap", "!!pairs", "!!merge", "!!value", "!!yaml",
    "!!python/object:os.system", "!!python/name:os.system", "!local", "!<tag:example.com,2024:x>",
    "!", "!!",
)  # fmt: skip
PLAIN = (
    "~", "null", "Null", "NULL", "", "yes", "No", "on", "OFF", "true", "False", "y", "n",
    "0", "-0", "+1", "0o17", "017", "0x1F", "0b101", "1_000", "190:20:30", "1:" * 50 + "1",
    "9" * 40, "9" * 5000, "1.5", "-.inf", ".NaN", "1e9", "6.8523015e+5", "685.230_15e+03",
    "190:20:30.15", "2001-12-14t21:59:43.10-05:00", "2002-12-14", "2001-13-45", "12:30:00",
    "smtp.gmail.com", "587", "STARTTLS", "SSL/TLS", "LOGIN", "30s", "ENC[AES256_GCM,data:]",
    "- not a list", "key: value", "#not a comment", "&anchor", "*alias", "<<", "=", "|", ">",
    "@at", "`tick", "%percent",
)  # fmt: skip
_unicode = st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\x00"), max_size=30)


def _quoted(text: str) -> str:
    return json.dumps(text)  # a JSON string is a valid double-quoted YAML scalar


def _single(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


@st.composite
def scalars(draw: st.DrawFn) -> str:
    """A scalar written as plain, quoted, single-quoted, or with a tag that may not fit."""
    text = draw(st.sampled_from(PLAIN) | _unicode | st.integers().map(str))
    style = draw(st.sampled_from(["plain", "double", "single", "double", "tagged"]))
    if style == "double":
        return _quoted(text)
    if style == "single":
        return _single(text)
    if style == "tagged":
        tag = draw(st.sampled_from(TAGS))
        value = draw(st.sampled_from([text, _quoted(text), ""]))
        return f"{tag} {value}".rstrip()
    safe = text and not any(c in text for c in ":#\n\r{}[],&*!|>'\"%@`") and text == text.strip()
    return text if safe else _quoted(text)


KEYS = st.sampled_from(FIELDS) | st.sampled_from(["sops", "<<", "? complex", "1", "true", "~"])
KEYS = KEYS | _unicode.filter(lambda k: k.strip() != "").map(_quoted)


@st.composite
def flow(draw: st.DrawFn, depth: int) -> str:
    """A flow collection nested ``depth`` levels, or a scalar or alias at depth 0."""
    if depth <= 0:
        return draw(scalars() | st.sampled_from(["*a", "*b", "*undefined"]))
    anchor = draw(st.sampled_from(["", "", "&a ", "&b "]))
    width = draw(st.integers(min_value=0, max_value=3))
    items = [draw(flow(depth - draw(st.integers(1, max(1, depth))))) for _ in range(width)]
    if draw(st.booleans()):
        keys = [draw(KEYS) for _ in items]
        return anchor + "{" + ", ".join(f"{k}: {v}" for k, v in zip(keys, items, strict=True)) + "}"
    return anchor + "[" + ", ".join(items) + "]"


@st.composite
def block(draw: st.DrawFn, depth: int, indent: int = 0) -> list[str]:
    """Lines of a block mapping nested ``depth`` levels, values in any style."""
    pad = " " * indent
    lines: list[str] = []
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        key = draw(KEYS)
        kind = draw(st.sampled_from(["scalar", "flow", "map", "list", "literal", "alias"]))
        if depth <= 0 or kind == "scalar":
            lines.append(f"{pad}{key}: {draw(scalars())}")
        elif kind == "flow":
            lines.append(f"{pad}{key}: {draw(flow(draw(st.integers(1, depth))))}")
        elif kind == "alias":
            lines.append(f"{pad}{key}: {draw(st.sampled_from(['*a', '*b', '&a x', '&b [1, 2]']))}")
        elif kind == "literal":
            body = draw(_unicode).replace("\r", "").split("\n")
            lines.append(f"{pad}{key}: {draw(st.sampled_from(['|', '>', '|-', '>+', '|2']))}")
            lines += [f"{pad}  {line}" for line in body]
        elif kind == "map":
            tag = draw(st.sampled_from(["", "", "&a", "!!map", "!!omap", "!!set"]))
            lines.append(f"{pad}{key}: {tag}".rstrip())
            lines += draw(block(depth - 1, indent + 2))
        else:
            lines.append(f"{pad}{key}:")
            for _ in range(draw(st.integers(min_value=1, max_value=3))):
                lines.append(f"{pad}  - {draw(flow(draw(st.integers(0, depth))))}")
    return lines


@st.composite
def documents(draw: st.DrawFn) -> str:
    """A whole hostile YAML document: a block tree, a flow tree, or deep nesting (near, at
    and past the loader's depth limit of 64, and past libyaml's own of 1000)."""
    kind = draw(st.sampled_from(["block", "block", "flow", "deep"]))
    if kind == "block":
        text = "\n".join(draw(block(draw(st.integers(0, 5))))) + "\n"
    elif kind == "flow":
        text = draw(flow(draw(st.integers(0, 8)))) + "\n"
    else:
        n = draw(st.sampled_from([10, 63, 64, 65, 66, 200, 999, 1001, 5000]))
        opener, closer = draw(st.sampled_from([("[", "]"), ("{a: ", "}")]))
        if draw(st.booleans()):
            text = "host: " + opener * n + closer * n + "\n"
        else:
            text = "host:\n" + "- " * n + "x\n"
    if draw(st.booleans()):
        text = draw(st.sampled_from(["", "---\n", "%YAML 1.1\n---\n", "--- !!map\n"])) + text
    return text
