"""In-file suppressions: ``# smtpops: ignore[RULE] reason``.

A trailing comment covers its own line; a comment alone on a line covers the next line
that holds YAML. Each suppression needs a reason and must suppress something.
"""

from __future__ import annotations

import re
from dataclasses import field

from smtpops.records import record

# Only the head of the comment is a regex (possessive, so linear); the bracket is found with
# str.find. As one regex, ``[^\]]*`` ran to the end of the line from every '#' of a line of
# unclosed '# smtpops: ignore[' (4,000 of them took 3.3 s).
_HEAD = re.compile(r"(?:^|\s)#\s*+smtpops:\s*+ignore\[")


def _comment(line: str) -> tuple[int, str, str] | None:
    """(where the match starts, the bracket's text, the reason) of the suppression on a line."""
    head = _HEAD.search(line)
    if head is None:
        return None
    close = line.find("]", head.end())
    if close == -1:  # no later head can have a ']' after it either
        return None
    return head.start(), line[head.end() : close], line[close + 1 :].strip()


@record()
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
        match = _comment(line)
        if match:
            start, inside, reason = match
            ids = tuple(i.strip().upper() for i in inside.split(",") if i.strip())
            alone = stripped.startswith("#")
            item = Suppression(number, number, start + 1, ids, reason)
            found.append(item)
            if alone:
                pending.append(item)
            continue
        if stripped and not stripped.startswith("#"):
            for item in pending:
                item.target = number
            pending = []
    return found
