"""The smtpops block of ``main.cf``: one marked block at the end holds every managed
parameter; a definition of a managed parameter elsewhere in the file is commented out
with a ``#smtpops-replaced:`` prefix (so later definitions cannot silently override the
block, and the operator's value stays visible). Everything else is left byte for byte."""

from __future__ import annotations

import re
from collections.abc import Mapping

BEGIN = "# BEGIN smtpops managed block"
END = "# END smtpops managed block"
REPLACED = "#smtpops-replaced: "
_DEF = re.compile(r"^(?P<name>[A-Za-z0-9_]+)\s*=\s?(?P<value>.*)$")
_DIGEST = re.compile(r"digest (?P<digest>\S+)")


def _entries(lines: list[str]) -> list[tuple[str | None, list[str]]]:
    """Logical entries: (parameter name or None, its physical lines incl. continuations)."""
    entries: list[tuple[str | None, list[str]]] = []
    for line in lines:
        if line[:1] in (" ", "\t") and line.strip() and entries and entries[-1][0]:
            entries[-1][1].append(line)
            continue
        match = _DEF.match(line.rstrip("\n"))
        entries.append((match.group("name") if match else None, [line]))
    return entries


def split(text: str) -> tuple[list[str], list[str]]:
    """(lines outside the block, lines inside it)."""
    outside, inside, within = [], [], False
    for line in text.splitlines(keepends=True):
        if line.startswith(BEGIN):
            within = True
        if within:
            inside.append(line)
        else:
            outside.append(line)
        if line.startswith(END):
            within = False
    return outside, inside


def block_digest(text: str) -> str | None:
    _, inside = split(text)
    match = _DIGEST.search(inside[0]) if inside else None
    return match.group("digest") if match else None


def originals(text: str, names: tuple[str, ...]) -> dict[str, str]:
    """The operator's own values of ``names``: live outside the block, or replaced earlier."""
    outside, _ = split(text)
    found: dict[str, str] = {}
    plain = [line[len(REPLACED) :] if line.startswith(REPLACED) else line for line in outside]
    for name, lines in _entries(plain):
        if name in names:
            first = _DEF.match(lines[0].rstrip("\n"))
            rest = " ".join(line.strip() for line in lines[1:])
            found[name] = " ".join(p for p in (first.group("value") if first else "", rest) if p)
    return found


def update(text: str, params: Mapping[str, str], digest: str) -> str:
    outside, _ = split(text)
    kept: list[str] = []
    for name, lines in _entries(outside):
        if name in params:
            kept.extend(REPLACED + line for line in lines)
        else:
            kept.extend(lines)
    if kept and not kept[-1].endswith("\n"):
        kept[-1] += "\n"
    block = [f"{BEGIN} (written by `smtpops apply`; edits are overwritten) digest {digest}\n"]
    block += [f"{name} = {value}\n" for name, value in params.items()]
    block.append(f"{END}\n")
    return "".join(kept + block)
