"""In-file suppressions: ``# smtpops: ignore[RULE] reason``.

A trailing comment covers its own line; a comment alone on a line covers the next line
that holds YAML. Each suppression needs a reason and must suppress something.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_COMMENT = re.compile(r"(?:^|\s)#\s*smtpops:\s*ignore\[([^\]]*)\]\s*(.*)$")


@dataclass(slots=True)
class Suppression:
    line: int  # where the comment is
    target: int  # the line it covers
    column: int
    ids: tuple[str, ...]
    reason: str
    used: set[str] = field(default_factory=set)

    def covers(self, rule_id: str, area: str, line: int | None) -> bool:
        return line == self.target and (rule_id in self.ids or area in self.ids)


def parse(text: str) -> list[Suppression]:
    if "smtpops:" not in text:
        return []
    found: list[Suppression] = []
    pending: list[Suppression] = []
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        match = _COMMENT.search(line)
        if match:
            ids = tuple(i.strip().upper() for i in match.group(1).split(",") if i.strip())
            alone = stripped.startswith("#")
            item = Suppression(number, number, match.start() + 1, ids, match.group(2).strip())
            found.append(item)
            if alone:
                pending.append(item)
            continue
        if stripped and not stripped.startswith("#"):
            for item in pending:
                item.target = number
            pending = []
    return found
