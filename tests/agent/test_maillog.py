"""Postfix log lines → delivery facts: real line shapes, rotation, partial lines, and
hostile input (linear time, no address kept)."""

from __future__ import annotations

import time
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from smtpops.agent import maillog

SENT = (
    "Dec  1 22:00:01 crm postfix/smtp[1234]: 4F2A81C0E5: to=<bill@customer.example>, "
    "relay=smtp.office365.com[52.96.0.1]:587, delay=0.52, delays=0.01/0.01/0.3/0.2, "
    "dsn=2.0.0, status=sent (250 2.0.0 OK queued as 123)"
)
DEFERRED = (
    "2026-12-01T22:00:02.123456+00:00 crm postfix-smart360/smtp[99]: 5B3C92D1F6: "
    "to=<a@b.example>, relay=none, delay=31, delays=0.01/0/30/0, dsn=4.4.1, status=deferred "
    "(connect to smtp.office365.com[52.96.0.1]:587: Connection timed out)"
)
BOUNCED = (
    "Dec  1 22:00:03 crm postfix/smtp[1]: 6C4DA3E2A7: to=<x@y.example>, relay=r[1.2.3.4]:587, "
    "delay=1.2, delays=0/0/0.5/0.7, dsn=5.7.57, status=bounced (host r[1.2.3.4] said: 530 5.7.57 "
    "Client not authenticated to send mail x@y.example (in reply to MAIL FROM command))"
)
EXPIRED = "Dec  1 22:00:04 crm postfix/qmgr[7]: 7D5EB4F3B8: from=<crm@u.example>, status=expired, returned to sender"
ACCEPTED = "Dec  1 22:00:00 crm postfix/cleanup[8]: 4F2A81C0E5: message-id=<1@crm.example>"
OTHER = "Dec  1 22:00:00 crm postfix/qmgr[7]: 4F2A81C0E5: from=<crm@u.example>, size=512, nrcpt=1 (queue active)"


def test_real_line_shapes() -> None:
    sent = maillog.parse(SENT)
    assert sent and (sent.status, sent.delay, sent.dsn) == ("sent", 0.52, "2.0.0")
    deferred = maillog.parse(DEFERRED)
    assert deferred and deferred.status == "deferred" and deferred.delay == 31.0
    assert deferred.reason and "timed out" in deferred.reason
    bounced = maillog.parse(BOUNCED)
    assert bounced and bounced.status == "bounced" and bounced.dsn == "5.7.57"
    assert bounced.reason and "@" not in bounced.reason  # no address kept
    expired = maillog.parse(EXPIRED)
    assert expired and expired.status == "expired"
    accepted = maillog.parse(ACCEPTED)
    assert accepted and accepted.status == "accepted"
    assert maillog.parse(OTHER) is None and maillog.parse("") is None


def test_reader_follows_appends_partial_lines_and_rotation(tmp_path: Path) -> None:
    log = tmp_path / "mail.log"
    log.write_text(ACCEPTED + "\n" + SENT[:40])
    reader = maillog.LogReader(str(log))
    assert [f.status for f in reader.read()] == ["accepted"]
    with log.open("a") as handle:
        handle.write(SENT[40:] + "\n" + DEFERRED + "\n")
    assert [f.status for f in reader.read()] == ["sent", "deferred"]
    assert list(reader.read()) == []
    log.rename(tmp_path / "mail.log.1")  # logrotate
    log.write_text(BOUNCED + "\n")
    assert [f.status for f in reader.read()] == ["bounced"]
    assert list(maillog.LogReader(str(tmp_path / "missing.log")).read()) == []


@given(st.text(max_size=300))
def test_any_text_parses_or_is_ignored(line: str) -> None:
    fact = maillog.parse(line)
    assert fact is None or fact.status in (*maillog.STATUSES, "accepted")


def test_parse_time_grows_linearly_on_worst_case_lines() -> None:
    def cost(n: int) -> float:
        line = (
            "x postfix/smtp[1]: ABCDEF123: " + "status=" * n + " delay=" + "1" * n + " (" + "a" * n
        )
        best = float("inf")
        for _ in range(3):
            start = time.perf_counter()
            maillog.parse(line)
            best = min(best, time.perf_counter() - start)
        return best

    small, large = cost(20_000), cost(40_000)
    assert large <= 3 * small + 0.002
