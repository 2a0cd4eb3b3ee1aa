"""Helpers shared by the secrets tests."""

from __future__ import annotations

import difflib
import re


def changed_lines(before: str, after: str) -> list[str]:
    return [
        line
        for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]


def outside_encryption(text: str) -> str:
    """The text without its password line, its sealed binding and its sops block: what must
    stay byte-identical."""
    lines = text.splitlines(keepends=True)
    kept, in_sops = [], False
    for line in lines:
        if line.startswith("sops:"):
            in_sops = True
            continue
        if in_sops and (line.startswith((" ", "\t")) or not line.strip()):
            continue
        in_sops = False
        if line.startswith("password_binding: ENC["):
            continue
        kept.append(re.sub(r"^password: ENC\[[^\]]*\]", "password: <ENC>", line))
    return "".join(kept)
