"""SMTP command injection through ``--send-to`` (and the sender): an address with CR/LF sent a
second command, 'a@example.com> NOTIFY=NEVER' smuggled ESMTP parameters, two addresses or a
non-address were sent as they were. Now one RFC 5321 mailbox parser refuses anything else
(exit 2, before any connection), and the probe checks again before MAIL FROM and RCPT TO.
The real aiosmtpd server records every command it gets: nothing extra reaches it."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

import pytest

from smtpops.model import Config
from smtpops.probe import ProbeOptions, run_probe
from smtpops.secret import Secret
from tests.conftest import CANARY

HOSTILE = [
    ("evil@example.com\r\nRCPT TO:<other@example.com>", "line break"),
    ("ops@example.com\nRSET", "line break"),
    ("a@example.com> NOTIFY=NEVER", "'<' or '>'"),
    ("a@example.com>NOTIFY=NEVER", "'<' or '>'"),
    ("a@example.com,b@example.com", "more than one address"),
    ("a@example.com; b@example.com", "more than one address"),
    ("not an address", "a space"),
    ("nobody", "no '@'"),
    ("a@b@example.com", "more than one '@'"),
    ("Ops <ops@example.com>", "a space"),
    ('"a b"@example.com', "quoted"),
    ("ops@example.com ", "a space"),
    ("ops\x01@example.com", "control character"),  # (a NUL byte: tests/hostile/test_fuzz_finds.py)
    ("ops@exa\u202emple.com", "control character"),
    ("", "empty"),
]


@pytest.fixture
def wire(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[str, str]]]:
    """Every command the aiosmtpd server dispatches, and every command it did not know."""
    from aiosmtpd.smtp import SMTP

    seen: list[tuple[str, str]] = []
    for name in [n for n in dir(SMTP) if n.startswith("smtp_")]:
        original = getattr(SMTP, name)

        @functools.wraps(original)
        async def record(self: Any, arg: str, _original: Any = original, _name: str = name) -> Any:
            seen.append((_name[5:], "" if _name == "smtp_AUTH" else arg or ""))
            return await _original(self, arg)

        monkeypatch.setattr(SMTP, name, record)
    push = SMTP.push

    async def pushed(self: Any, status: str | bytes) -> None:
        if isinstance(status, str) and status.startswith("500"):
            seen.append(("unknown", status))
        await push(self, status)

    monkeypatch.setattr(SMTP, "push", pushed)
    yield seen


@pytest.mark.parametrize("address, words", HOSTILE)
def test_a_hostile_send_to_is_refused_before_anything_is_sent(
    sandbox, write_config, run_cli, wire, address: str, words: str
) -> None:
    write_config(sandbox.config())
    result = run_cli(
        "test", "development/sandbox", "--password-stdin", "--send-to", address,
        input=CANARY + "\n",
    )  # fmt: skip
    assert result.exit_code == 2, repr(result)
    assert "--send-to" in result.stderr and "is not one email address" in result.stderr
    assert words in result.stderr
    assert "\r" not in result.stderr and "\x01" not in result.stderr
    assert "\u202e" not in result.stderr
    assert wire == [] and sandbox.messages == []


def test_one_plain_address_is_all_that_reaches_the_server(
    sandbox, write_config, probe, wire
) -> None:
    write_config(sandbox.config())
    probe("development/sandbox", "--send-to", "ops@example.com", expect=0)
    envelope = [(c, a) for c, a in wire if c in ("MAIL", "RCPT", "DATA", "RSET", "unknown")]
    assert envelope == [
        ("MAIL", "FROM:<sandbox@example.test>"),
        ("RCPT", "TO:<ops@example.com>"),
        ("DATA", ""),
    ]
    assert sandbox.messages[0].rcpt_tos == ("ops@example.com",)


@pytest.mark.parametrize(
    "field, value",
    [
        ("send_to", "evil@example.com\r\nRCPT TO:<other@example.com>"),
        ("send_to", "a@example.com> NOTIFY=NEVER"),
        ("from_address", "a@example.com> RET=FULL"),
        ("from_address", "a@example.com\r\nRCPT TO:<other@example.com>"),
        ("username", "sandbox@example.test\r\nRCPT TO:<other@example.com>"),
    ],
)
def test_the_probe_itself_sends_no_address_that_is_not_one_mailbox(
    make_sandbox, wire, field: str, value: str
) -> None:
    """Callers other than the CLI (the agent, the web page) get the same guard; a username
    used as the sender too (it signs in, base64-encoded, but must not reach MAIL FROM)."""
    sandbox = make_sandbox(username=value) if field == "username" else make_sandbox()
    fields = sandbox.config() | {"password": "x"}
    send_to = value if field == "send_to" else "ops@example.com"
    if field != "send_to":
        fields[field] = value
    options = ProbeOptions(base_dir=sandbox.directory, wait_timeout=2)
    report = run_probe(
        Config.from_raw(fields), Secret(sandbox.password), send_to=send_to, options=options
    )
    failed = [s for s in report.steps if s.status == "failed"]
    assert [s.name for s in failed] == ["envelope"], report.to_dict()
    assert "is not one email address" in (failed[0].message or "")
    assert not [c for c, _ in wire if c in ("MAIL", "RCPT", "DATA", "unknown")]
    assert sandbox.messages == []


def _hostile_greeting(conn: Any, stop: Any) -> None:
    conn.sendall(b"554 no\x1b]0;owned\x07\x1b[1A\x1b[2K\r\xe2\x80\xae service\r\n")
    stop.wait(2)


def test_a_servers_reply_cannot_repaint_the_terminal(
    sandbox, write_config, raw_server, run_cli
) -> None:
    server = raw_server(_hostile_greeting)
    write_config(sandbox.config() | {"port": server.port})
    result = run_cli(
        "test", "development/sandbox", "--password-stdin", "--wait-timeout", "1",
        "--transcript", input=CANARY + "\n",
    )  # fmt: skip
    assert result.exit_code == 1, repr(result)
    assert "\\x1b]0;owned\\x07" in result.stdout
    for char in ("\x1b", "\x07", "\u202e", "\r"):
        assert char not in result.stdout, char
