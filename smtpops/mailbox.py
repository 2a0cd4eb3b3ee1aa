"""One parser for an email address as SMTP carries it: an RFC 5321 ``Mailbox``.

Every address that ends up in ``MAIL FROM:<…>`` or ``RCPT TO:<…>`` (``--send-to``,
``from_address``, a username used as the sender) goes through :func:`parse`, so that an
address can never carry a second command (CR/LF), ESMTP parameters (``a@example.com>
NOTIFY=NEVER``), a second address (``a@x.com,b@y.com``) or anything else that is not one
mailbox. The accepted language is RFC 5321's ``Dot-string "@" Domain`` (with RFC 6531's
UTF-8 letters) or an IPv4/IPv6 address literal after the '@'. Quoted local parts
(``"a b"@example.com``) are valid in RFC 5321 but refused here: no real sender needs them,
and servers that parse them loosely are exactly where smuggling works.
"""

from __future__ import annotations

import unicodedata

from smtpops.records import record

__all__ = ["InvalidMailbox", "Mailbox", "parse", "problem"]

MAX_LOCAL = 64  # octets, RFC 5321 4.5.3.1.1
MAX_DOMAIN = 255  # octets, 4.5.3.1.2
MAX_MAILBOX = 254  # a path is at most 256 octets with its angle brackets, 4.5.3.1.3
MAX_LABEL = 63
_ATEXT = frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-/=?^_`{|}~"
)
_LDH = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-")
_LETTERS = ("L", "M", "N")  # Unicode categories accepted beyond ASCII (letters, marks, digits)


class InvalidMailbox(ValueError):
    """Not one RFC 5321 mailbox; ``reason`` says why in plain words."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@record(frozen=True)
class Mailbox:
    local: str
    domain: str  # a domain name, or an address literal in brackets

    @property
    def literal(self) -> bool:
        return self.domain.startswith("[")

    def __str__(self) -> str:
        return f"{self.local}@{self.domain}"


def _utf8_letter(char: str) -> bool:
    return not char.isascii() and unicodedata.category(char)[0] in _LETTERS


# printable ASCII that none of the checks of _first_bad refuses: most text is only this
_PLAIN = frozenset(chr(c) for c in range(0x21, 0x7F)) - frozenset(',;<>"()\\')


def _first_bad(text: str) -> str | None:
    """The reason a character anywhere in the text rules it out, checked before the parts."""
    if _PLAIN.issuperset(text):
        return None
    for char in text:
        if char in "\r\n":
            return "it contains a line break"
        if unicodedata.category(char)[0] == "C" or char == "\x7f":
            return "it contains an invisible control character"
        if char.isspace():
            return "it contains a space"
        if char in ",;":
            return "it holds more than one address (',' or ';'): give one address"
        if char in "<>":
            return "it contains '<' or '>': give the bare address, without angle brackets or a name"
        if char in '"()\\':
            return f"it contains {char!r}: quoted names and comments are not supported"
    return None


def _local_problem(local: str) -> str | None:
    if not local:
        return "there is nothing before the '@'"
    if len(local.encode("utf-8")) > MAX_LOCAL:
        return f"the part before '@' is longer than {MAX_LOCAL} characters"
    if local.startswith(".") or local.endswith(".") or ".." in local:
        return "the part before '@' starts or ends with a dot, or has two dots in a row"
    bad = sorted({c for c in local if c != "." and c not in _ATEXT and not _utf8_letter(c)})
    if bad:
        return f"the part before '@' has characters that are not allowed: {' '.join(bad[:5])}"
    return None


def _label_problem(label: str) -> str | None:
    if not label:
        return "the part after '@' has an empty name between dots"
    if not label.isascii():
        if not all(c in _LDH or _utf8_letter(c) for c in label):
            return "the part after '@' has characters that are not allowed in a domain"
        try:
            label = label.encode("idna").decode("ascii")  # the A-label (xn--…)
        except UnicodeError:
            return "the part after '@' is not a valid international domain name"
    if len(label) > MAX_LABEL:
        return f"a name in the part after '@' is longer than {MAX_LABEL} characters"
    if not all(c in _LDH for c in label):
        bad = sorted({c for c in label if c not in _LDH})
        return f"the part after '@' has characters that are not allowed: {' '.join(bad[:5])}"
    if label.startswith("-") or label.endswith("-"):
        return "a name in the part after '@' starts or ends with '-'"
    return None


def _domain_problem(domain: str) -> str | None:
    if not domain:
        return "there is nothing after the '@'"
    if domain.startswith("["):
        if not domain.endswith("]"):
            return "the address literal after '@' has no closing ']'"
        inner = domain[1:-1]
        # lazy(start-up): ipaddress (~1 ms), only for an address literal after the '@'
        import ipaddress

        try:
            if inner[:5].lower() == "ipv6:":
                ipaddress.IPv6Address(inner[5:])
            else:
                ipaddress.IPv4Address(inner)
        except ValueError:
            return "the address literal after '@' is not [a.b.c.d] or [IPv6:…]"
        return None
    if len(domain.encode("utf-8")) > MAX_DOMAIN:
        return f"the part after '@' is longer than {MAX_DOMAIN} characters"
    for label in domain.split("."):
        reason = _label_problem(label)
        if reason:
            return reason
    return None


def parse(text: str) -> Mailbox:
    """``text`` as one mailbox, exactly (no spaces around it); raises InvalidMailbox."""
    if not text:
        raise InvalidMailbox("it is empty")
    reason = _first_bad(text)
    if reason is None and len(text.encode("utf-8")) > MAX_MAILBOX:
        reason = f"it is longer than {MAX_MAILBOX} characters"
    if reason is None:
        local, at, domain = text.rpartition("@")
        if not at:
            reason = "it has no '@'"
        elif "@" in local:
            reason = "it contains more than one '@'"
        else:
            reason = _local_problem(local) or _domain_problem(domain)
    if reason:
        raise InvalidMailbox(reason)
    return Mailbox(local=local, domain=domain)


def problem(text: str) -> str | None:
    """Why ``text`` is not one mailbox; None when it is."""
    try:
        parse(text)
    except InvalidMailbox as exc:
        return exc.reason
    return None
