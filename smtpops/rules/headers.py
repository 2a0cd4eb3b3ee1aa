"""HDR: custom headers added to every message ('Name: value' per line)."""

import re
from collections.abc import Iterator

from smtpops.diagnostics import Severity
from smtpops.rules.context import ConfigContext
from smtpops.rules.registry import Example, Hit, rule

MAX_BYTES = 8192
RESERVED = frozenset(
    h.lower()
    for h in (
        "From",
        "To",
        "Cc",
        "Bcc",
        "Subject",
        "Date",
        "Sender",
        "Message-ID",
        "In-Reply-To",
        "References",
        "Received",
        "Return-Path",
        "MIME-Version",
        "Content-Type",
        "Content-Transfer-Encoding",
        "Content-Disposition",
        "Content-ID",
        "DKIM-Signature",
        "ARC-Seal",
        "ARC-Message-Signature",
        "ARC-Authentication-Results",
        "Authentication-Results",
        "Received-SPF",
        "Delivered-To",
        "Resent-From",
        "Resent-To",
        "Resent-Cc",
        "Resent-Bcc",
        "Resent-Date",
        "Resent-Sender",
        "Resent-Message-ID",
    )
)
_NAME = re.compile(r"^[A-Za-z0-9-]+$")
# Possessive quantifiers (``*+``): a run of spaces is taken whole and never given back, so each
# '<' costs the length of its own run and the search is linear; with plain ``\s*/?\s*`` every
# split of the run was tried ('<' and 12,000 spaces took 16 s).
_MARKUP = re.compile(
    r"<\s*+/?\s*+(?:script|iframe|object|embed|svg|img|style|link|meta|form)\b|javascript\s*+:|"
    r"vbscript\s*+:|data\s*+:\s*+text/html|\bon[a-z]++\s*+=|<\?php",
    re.IGNORECASE,
)


def _headers(ctx: ConfigContext) -> Iterator[tuple[tuple[str | int, ...], int | None, str]]:
    """(field path, line or None, 'Name: value') for each header line."""
    raw = ctx.raw.get("custom_headers")
    if isinstance(raw, dict):
        for key, value in raw.items():
            yield ("custom_headers", key), None, f"{key}: {value}"
        return
    if not isinstance(raw, str):
        return
    mark = ctx.doc.mark(("custom_headers",))
    block = False
    if mark:
        lines = ctx.doc.text.splitlines()
        start = lines[mark.line - 1][mark.column - 1 :] if mark.line <= len(lines) else ""
        block = start[:1] in ("|", ">")
    for index, line in ctx.config.custom_headers:
        where = (mark.line + 1 + index) if (mark and block) else (mark.line if mark else None)
        yield ("custom_headers",), where, line


def _split(line: str) -> tuple[str, str] | None:
    name, sep, value = line.partition(":")
    if not sep:
        return None
    return name, value.strip()


def _hit(path: tuple[str | int, ...], line: int | None, message: str) -> Hit:
    return Hit(field=path, line=line, message=message)


@rule(
    id="HDR002",
    name="header-line-format",
    severity=Severity.ERROR,
    message="a custom header line is not in the form 'Name: value'",
    hint="Write one header per line as 'Name: value', e.g. 'X-Department: Billing'.",
    why="Lines without a name and a colon cannot be sent as headers and may corrupt the message.",
    bad=Example(yaml='custom_headers: "X-Department Billing"\n'),
    good=Example(yaml='custom_headers: "X-Department: Billing"\n'),
)
def header_line_format(ctx: ConfigContext) -> Iterator[Hit]:
    """Every line is 'Name: value'."""
    for path, line, text in _headers(ctx):
        parts = _split(text)
        if parts is None or not parts[0].strip():
            yield _hit(
                path, line, f"the custom header line '{text.strip()[:60]}' is not 'Name: value'"
            )


@rule(
    id="HDR003",
    name="header-name-characters",
    severity=Severity.ERROR,
    message="a custom header name has characters other than letters, digits and '-'",
    hint="Use letters, digits and hyphens only, e.g. 'X-Company-Name'.",
    why="Other characters (spaces, underscores, ':') are not valid in header names and can be used to inject headers.",
    bad=Example(yaml='custom_headers: "X Company: Example"\n'),
    good=Example(yaml='custom_headers: "X-Company: Example"\n'),
    references=("RFC 5322 section 3.6.8",),
)
def header_name_characters(ctx: ConfigContext) -> Iterator[Hit]:
    """Header names: letters, digits and hyphens only."""
    for path, line, text in _headers(ctx):
        parts = _split(text)
        if parts and parts[0].strip() and not _NAME.match(parts[0]):
            yield _hit(
                path,
                line,
                f"the custom header name '{parts[0][:40]}' may only use letters, digits and '-'",
            )


@rule(
    id="HDR004",
    name="reserved-header",
    severity=Severity.ERROR,
    message="a custom header sets a header the system writes itself",
    hint="Remove it: From, To, Cc, Bcc, Subject, Date, Message-ID, MIME and signature headers are set by the CRM for each message.",
    why="Overriding system headers breaks threading, signatures (DKIM) or sends mail to unintended recipients.",
    bad=Example(yaml='custom_headers: "Bcc: someone@example.com"\n'),
    good=Example(yaml='custom_headers: "X-Department: Billing"\n'),
)
def reserved_header(ctx: ConfigContext) -> Iterator[Hit]:
    """No From, To, Cc, Bcc, Subject, Date or other system-generated headers."""
    for path, line, text in _headers(ctx):
        parts = _split(text)
        if parts and parts[0].strip().lower() in RESERVED:
            yield _hit(
                path,
                line,
                f"the custom header '{parts[0].strip()}' is set by the system and cannot be overridden",
            )


@rule(
    id="HDR005",
    name="header-value-characters",
    severity=Severity.ERROR,
    security=True,
    message="a custom header value contains a line break or another control character",
    hint="Keep each value on one line with visible characters only.",
    why="A line break inside a value (CR/LF) lets a value add headers of its own or even a new message body: header injection.",
    bad=Example(yaml='custom_headers:\n  X-Note: "ok\\r\\nBcc: victim@example.com"\n'),
    good=Example(yaml="custom_headers:\n  X-Note: ok\n"),
)
def header_value_characters(ctx: ConfigContext) -> Iterator[Hit]:
    """Values are printable, with no CR/LF."""
    for path, line, text in _headers(ctx):
        parts = _split(text)
        if parts and not parts[1].replace("\t", " ").isprintable():
            yield _hit(
                path,
                line,
                f"the custom header '{parts[0].strip()}' has a line break or control character in its value",
            )


@rule(
    id="HDR006",
    name="header-markup",
    severity=Severity.ERROR,
    security=True,
    message="a custom header value contains script or markup",
    hint="Use plain text in header values; remove tags such as <script> and 'javascript:' links.",
    why="Headers are shown in mail clients and CRM logs; markup in them is a script-injection risk.",
    bad=Example(yaml='custom_headers: "X-Note: <script>alert(1)</script>"\n'),
    good=Example(yaml='custom_headers: "X-Note: Billing run"\n'),
)
def header_markup(ctx: ConfigContext) -> Iterator[Hit]:
    """No script or markup injection in values."""
    for path, line, text in _headers(ctx):
        parts = _split(text)
        if parts and _MARKUP.search(parts[1]):
            yield _hit(
                path, line, f"the custom header '{parts[0].strip()}' contains script or markup"
            )


@rule(
    id="HDR007",
    name="duplicate-header",
    severity=Severity.WARNING,
    message="a custom header is given more than once",
    hint="Keep one line per header name (names are compared ignoring case).",
    why="Receivers treat repeated headers differently; usually only one value is used.",
    bad=Example(yaml='custom_headers: "X-Team: A\\nx-team: B"\n'),
    good=Example(yaml='custom_headers: "X-Team: A\\nX-Site: B"\n'),
)
def duplicate_header(ctx: ConfigContext) -> Iterator[Hit]:
    """Header names are unique (case-insensitive)."""
    seen: set[str] = set()
    for path, line, text in _headers(ctx):
        parts = _split(text)
        if not parts:
            continue
        key = parts[0].strip().lower()
        if key in seen:
            yield _hit(
                path, line, f"the custom header '{parts[0].strip()}' is given more than once"
            )
        seen.add(key)


@rule(
    id="HDR008",
    name="headers-too-large",
    severity=Severity.ERROR,
    message="the custom headers together are larger than 8 KB",
    hint="Shorten or remove headers; they are added to every message.",
    why="Large headers slow every message and some servers reject them.",
    bad=Example(yaml='custom_headers: "X-Big: ' + "x" * 8200 + '"\n'),
    good=Example(yaml='custom_headers: "X-Small: x"\n'),
)
def headers_too_large(ctx: ConfigContext) -> Iterator[Hit]:
    """All custom headers together are at most 8 KB."""
    size = sum(len(text.encode("utf-8")) + 2 for _, _, text in _headers(ctx))
    if size > MAX_BYTES:
        yield Hit(
            field=("custom_headers",),
            message=f"the custom headers are {size} bytes together; at most {MAX_BYTES} allowed",
        )
