"""Delivery facts from the Postfix relay's log: messages accepted, sent, deferred, bounced and
expired, with delivery delays. Reads the log incrementally (an offset, restarted when the file
is rotated or truncated); parsing is linear-time, one line at a time, and keeps no address.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator

from smtpops.records import record

# "<time> <host> <syslog_name>/<daemon>[<pid>]: <QUEUEID>: <rest>" (syslog or maillog_file)
_LINE = re.compile(r"\s(?P<daemon>[\w.-]+/[\w.-]+)\[\d+\]: (?P<qid>[0-9A-Za-z]{6,}): (?P<rest>.*)$")
_STATUS = re.compile(r"\bstatus=(?P<status>[a-z]+)")
_DELAY = re.compile(r"\bdelay=(?P<delay>\d+(?:\.\d+)?)")
_DSN = re.compile(r"\bdsn=(?P<dsn>\d\.\d{1,3}\.\d{1,3})")
_REASON = re.compile(r"status=[a-z]+ \((?P<reason>[^)]{0,200})")

STATUSES = ("sent", "deferred", "bounced", "expired")


@record(frozen=True, kw_only=True)
class Delivery:
    """One delivery fact of one queued message."""

    queue_id: str
    status: str  # accepted | sent | deferred | bounced | expired
    delay: float | None = None  # seconds from arrival to this attempt's end
    dsn: str | None = None
    reason: str | None = None  # the class of failure, never an address


def _reason(rest: str) -> str | None:
    match = _REASON.search(rest)
    if not match:
        return None
    text = match.group("reason")
    # the server's words may carry addresses; keep the reply code and the first words only
    words = [w for w in text.split() if "@" not in w][:8]
    return " ".join(words) or None


def parse(line: str) -> Delivery | None:
    """The delivery fact of one log line, or None for any other line."""
    match = _LINE.search(line)
    if not match:
        return None
    daemon, rest = match.group("daemon"), match.group("rest")
    qid = match.group("qid")
    if daemon.endswith("/cleanup") and rest.startswith("message-id="):
        return Delivery(queue_id=qid, status="accepted")
    status = _STATUS.search(rest)
    if not status or status.group("status") not in STATUSES:
        return None
    delay = _DELAY.search(rest)
    dsn = _DSN.search(rest)
    return Delivery(
        queue_id=qid,
        status=status.group("status"),
        delay=float(delay.group("delay")) if delay else None,
        dsn=dsn.group("dsn") if dsn else None,
        reason=_reason(rest) if status.group("status") != "sent" else None,
    )


class LogReader:
    """New delivery facts since the last read of a log file."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._inode: int | None = None
        self._offset = 0
        self._partial = b""

    def read(self) -> Iterator[Delivery]:
        try:
            stat = os.stat(self.path)
        except OSError:
            return
        if stat.st_ino != self._inode or stat.st_size < self._offset:
            self._inode, self._offset, self._partial = stat.st_ino, 0, b""  # rotated
        with open(self.path, "rb") as handle:
            handle.seek(self._offset)
            data = handle.read()
        self._offset += len(data)
        lines = (self._partial + data).split(b"\n")
        self._partial = lines.pop()
        for raw in lines:
            fact = parse(raw.decode("utf-8", "replace"))
            if fact is not None:
                yield fact
