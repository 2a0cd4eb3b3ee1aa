"""The one mailbox parser (RFC 5321 ``Local-part "@" Domain``): what it accepts can be put in
``MAIL FROM:<…>``/``RCPT TO:<…>`` as it is, and nothing else is accepted."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from smtpops import mailbox

VALID = [
    "a@b.co",
    "first.last+tag@example-utility.com",
    "x_y@mail.example.org",
    "o'brien@example.ie",
    "!#$%&'*+-/=?^_`{|}~@example.com",
    "ops@localhost",
    "ops@[127.0.0.1]",
    "ops@[IPv6:2001:db8::1]",
    "jörg@müller.example",
    "用户@例子.广告",
    "x" * 64 + "@example.com",
]
INVALID = [
    "",
    "plain",
    "@example.com",
    "a@",
    "a@@example.com",
    "a@b@example.com",
    ".a@example.com",
    "a.@example.com",
    "a..b@example.com",
    "a b@example.com",
    " a@example.com",
    "a@example.com\r\nRCPT TO:<b@example.com>",
    "a@example.com> NOTIFY=NEVER",
    "<a@example.com>",
    "Name <a@example.com>",
    "a@example.com,b@example.com",
    '"a b"@example.com',
    "a(comment)@example.com",
    "a@-example.com",
    "a@example-.com",
    "a@exa_mple.com",
    "a@example..com",
    "a@[300.1.1.1]",
    "a@[IPv6:zz::1]",
    "a@[127.0.0.1",
    "x" * 65 + "@example.com",
    "a@" + "b" * 64 + ".com",
    "a@" + "b." * 130 + "com",
    "a\u202e@example.com",
    "a\x1b[2K@example.com",
    "a@exa\u200bmple.com",
]
FORBIDDEN = set('\r\n\0<> ,;"()\\') | {"\x1b", "\u202e"}


@pytest.mark.parametrize("text", VALID)
def test_valid_mailboxes(text: str) -> None:
    box = mailbox.parse(text)
    assert str(box) == text and mailbox.problem(text) is None


@pytest.mark.parametrize("text", INVALID)
def test_invalid_mailboxes(text: str) -> None:
    with pytest.raises(mailbox.InvalidMailbox) as caught:
        mailbox.parse(text)
    assert caught.value.reason and mailbox.problem(text) == caught.value.reason


@given(st.one_of(st.text(), st.emails(), st.text(alphabet='@.a-_+<>,;\r\n "[]:', max_size=30)))
def test_accepted_text_is_one_plain_mailbox(text: str) -> None:
    try:
        box = mailbox.parse(text)
    except mailbox.InvalidMailbox as exc:
        assert isinstance(exc.reason, str) and exc.reason
        return
    assert str(box) == text
    assert not FORBIDDEN & set(text)
    assert text.count("@") == 1 and len(text.encode()) <= mailbox.MAX_MAILBOX


@given(st.emails())
def test_hypothesis_emails_with_a_plain_local_part_are_accepted(text: str) -> None:
    local = text.rpartition("@")[0]
    if not local.startswith('"'):
        assert mailbox.problem(text) is None, text
