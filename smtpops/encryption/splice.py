"""Text surgery on a config file: only the ``password`` value (or the ``oauth:`` block), the
secret's ``password_binding`` (:mod:`smtpops.encryption.binding`) and the ``sops:`` block
change.

sops re-emits the whole YAML document when it encrypts (comments move, ``0755`` becomes
``493``). smtpops takes from sops' output only the encrypted password and the ``sops:``
block, and splices them into the original text, so every other byte stays as it was and a
pull request shows two changed places.
"""

from __future__ import annotations

from typing import Any

from smtpops import yamlio
from smtpops.errors import InputError
from smtpops.records import record

PASSWORD = "password"
BINDING = "password_binding"
SOPS = "sops"
OAUTH = "oauth"


@record(frozen=True)
class Span:
    start: int
    end: int


@record(frozen=True, kw_only=True)
class Layout:
    """Where the password value and the sops block stand in a document's text."""

    text: str
    password: Span | None
    sops: Span | None  # from the start of the ``sops:`` line to the end of its block
    oauth: Span | None = None  # like sops: the whole ``oauth:`` block, its key line included
    binding: Span | None = None


def _line_start(text: str, index: int) -> int:
    return text.rfind("\n", 0, index) + 1


def values(text: str, path: str) -> dict[str, Any]:
    """The values of a config's text, for reading its secret: a read needs no field's place
    in the text, so a text the parse cache knows loads no YAML parser. A text that is not a
    mapping is refused with :func:`layout`'s message; a flow mapping (``{host: ...}``), which
    an edit could not splice, can still be read."""
    data = _document(text, path).data
    if not isinstance(data, dict):
        raise _not_fields(path)
    return data


def _document(text: str, path: str) -> yamlio.Document:
    try:
        return yamlio.loads(text)
    except yamlio.LoadError as exc:
        where = f":{exc.mark.line}" if exc.mark else ""
        raise InputError(
            f"{path}{where}: {exc.message}",
            hint="Fix the file first (`smtpops validate` explains the problem).",
        ) from None


def _not_fields(path: str) -> InputError:
    return InputError(
        f"{path}: the file is not a list of 'field: value' lines",
        hint="Write one field per line, as in the example configs.",
    )


def layout(text: str, path: str) -> Layout:
    """Locate the fields; a file that is not one block mapping is refused."""
    _document(text, path)
    # lazy(start-up): PyYAML (~12 ms): only an edit needs the fields' places (see values)
    from smtpops import yamlparser

    fields = yamlparser.top_fields(text)
    if fields is None:
        raise _not_fields(path)
    spans: dict[str, Span] = {}
    for name, key_start, value_start, value_end in fields:
        if name in (SOPS, OAUTH):
            start = _line_start(text, key_start)
            spans[name] = Span(start, _block_end(text, start, value_end))
        elif name in (PASSWORD, BINDING):
            spans[name] = Span(value_start, value_end)
    return Layout(
        text=text,
        password=spans.get(PASSWORD),
        sops=spans.get(SOPS),
        oauth=spans.get(OAUTH),
        binding=spans.get(BINDING),
    )


def _block_end(text: str, start: int, end: int) -> int:
    """The end of a block mapping's own lines: YAML's end mark runs on over the blank lines
    and top-level comments that follow a block, which belong to what comes next."""
    lines = text[start:end].splitlines(keepends=True)
    while len(lines) > 1 and (not lines[-1].strip() or lines[-1].startswith("#")):
        end -= len(lines.pop())
    return end


def _replace(text: str, span: Span, new: str) -> str:
    old = text[span.start : span.end]
    tail = old[len(old.rstrip("\n")) :]  # a block scalar's span takes its line breaks along
    return text[: span.start] + new + tail + text[span.end :]


def with_password_field(lay: Layout, path: str) -> Layout:
    """The layout of the text with an (empty-quoted) ``password`` field added when missing."""
    if lay.password is not None:
        return lay
    text = lay.text
    at = lay.sops.start if lay.sops else len(text)
    if at and not text[:at].endswith("\n"):
        text, at = text[:at] + "\n" + text[at:], at + 1
    text = text[:at] + f'{PASSWORD}: ""\n' + text[at:]
    return layout(text, path)


# one edit of a text: (span, new text, keep the span's trailing line breaks)
_Edit = tuple[Span, str, bool]


def _apply(text: str, edits: list[_Edit]) -> str:
    """``text`` with non-overlapping ``edits`` made, the last one first (spans stay valid)."""
    for span, new, keep_tail in sorted(edits, key=lambda e: (e[0].start, e[0].end), reverse=True):
        cut = _replace if keep_tail else _cut
        text = cut(text, span, new)
    return text


def _cut(text: str, span: Span, new: str) -> str:
    return text[: span.start] + new + text[span.end :]


def _binding_edit(lay: Layout, value: str) -> _Edit:
    """Replace the binding's value, or add a ``password_binding:`` line after the password's
    (an OAuth2 config: after its oauth block)."""
    if lay.binding is not None:
        return (lay.binding, value, True)
    if lay.password is None:
        assert lay.oauth is not None
        at = lay.oauth.end  # the start of the line after the block, or the end of the text
        lead = "" if lay.text[:at].endswith("\n") else "\n"
        return (Span(at, at), f"{lead}{BINDING}: {value}\n", False)
    end = lay.text.find("\n", lay.password.end)
    if end == -1:
        return (Span(len(lay.text), len(lay.text)), f"\n{BINDING}: {value}\n", False)
    return (Span(end + 1, end + 1), f"{BINDING}: {value}\n", False)


def with_binding(lay: Layout, value: str) -> str:
    """The text of ``lay`` with the binding's value (a YAML scalar) set: replaced, or added
    after the password (after the oauth block of an OAuth2 config). Nothing else changes."""
    return _apply(lay.text, [_binding_edit(lay, value)])


def plaintext_document(lay: Layout, quoted: str, binding: str | None = None) -> str:
    """The document sops is given to encrypt: the password (a quoted YAML scalar) and its
    binding (another) in place, the old sops block gone. Returned only to be written into a
    pipe."""
    assert lay.password is not None
    edits: list[_Edit] = [(lay.password, quoted, True)]
    if binding is not None:
        edits.append(_binding_edit(lay, binding))
    if lay.sops is not None:
        edits.append((lay.sops, "", False))
    return _apply(lay.text, edits)


@record(frozen=True, kw_only=True)
class Encrypted:
    """What smtpops keeps from sops' output."""

    value: str  # the ENC[...] password
    block: str  # the ``sops:`` block, from its first line to its last line break
    binding: str | None = None  # the ENC[...] password_binding


def take_from_sops_output(output: str, path: str) -> Encrypted:
    lay = layout(output, path)
    if lay.password is None or lay.sops is None:
        raise InputError(
            f"{path}: sops returned a document without a password or sops block",
            hint="Check that .sops.yaml encrypts 'password' (`smtpops secrets updatekeys` "
            "writes its encrypted_regex).",
        )
    value = output[lay.password.start : lay.password.end].strip()
    if not value.startswith("ENC["):
        raise InputError(
            f"{path}: sops did not encrypt the password",
            hint="Check the encrypted_regex of the .sops.yaml rule for this folder "
            "(`smtpops keys init` writes it).",
        )
    block = output[lay.sops.start : lay.sops.end]
    binding = output[lay.binding.start : lay.binding.end].strip() if lay.binding else None
    if binding is not None and not binding.startswith("ENC["):
        raise InputError(
            f"{path}: sops did not encrypt the password's binding ({BINDING})",
            hint="Check the encrypted_regex of the .sops.yaml rule for this folder.",
        )
    return Encrypted(
        value=value, block=block if block.endswith("\n") else block + "\n", binding=binding
    )


def splice(lay: Layout, new: Encrypted) -> str:
    """The original text with the new password value, binding and sops block, nothing else
    changed."""
    assert lay.password is not None
    edits: list[_Edit] = [(lay.password, new.value, True)]
    if new.binding is not None:
        edits.append(_binding_edit(lay, new.binding))
    if lay.sops is not None:
        edits.append((lay.sops, new.block, False))
    text = _apply(lay.text, edits)
    if lay.sops is None:
        text = (text if text.endswith("\n") or not text else text + "\n") + new.block
    return text


def splice_block(lay: Layout, block: str) -> str:
    """The original text with only its sops block replaced (``updatekeys``)."""
    assert lay.sops is not None
    return lay.text[: lay.sops.start] + block + lay.text[lay.sops.end :]


def block_text(text: str, span: Span) -> str:
    """A whole block (``oauth:`` or ``sops:``) ending with exactly one line break."""
    block = text[span.start : span.end]
    return block.rstrip("\n") + "\n"


def replace_blocks(lay: Layout, blocks: dict[str, str]) -> str:
    """The original text with whole top-level blocks replaced (``oauth``, ``sops``); a block
    the text lacks is appended (``sops`` last). Nothing else changes."""
    spans = {name: getattr(lay, name) for name in blocks}
    text = lay.text
    for name, span in sorted(
        ((n, s) for n, s in spans.items() if s is not None), key=lambda item: -item[1].start
    ):
        old = text[span.start : span.end]
        tail = old[len(old.rstrip("\n")) :][1:]  # blank lines after the block stay
        text = text[: span.start] + blocks[name] + tail + text[span.end :]
    for name in sorted((n for n, s in spans.items() if s is None), key=lambda n: n == SOPS):
        text = (text if text.endswith("\n") or not text else text + "\n") + blocks[name]
    return text
