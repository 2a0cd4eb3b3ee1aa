"""Parsed copies of YAML files smtpops has checked: ``<repository>/.smtpops/cache/parsed/``.

``smtpops test`` reads the repository settings once and its config five times (the model,
the auth method, the secret, the seal check) before it connects. When each text is one this
cache knows, none of those reads loads PyYAML (about 12 ms of a 150 ms test), and the
connection test of an unchanged config runs without a YAML parser at all. What the copies
hold is exactly what :func:`smtpops.yamlio.loads` made of the text; positions (for
messages) are read from the text again if they are ever asked for.

**Key.** A copy is named by the BLAKE2b digest of the text's bytes, and holds that digest, the
format of this file and the smtpops version: it is used only for that very text, by the
smtpops that wrote it. Nothing else (path, time) enters, so a copy is right wherever the
text turns up.

**What is kept.** Only a mapping that JSON gives back unchanged (no dates, no number as a
key), that ``yaml.safe_load`` reads the same as :func:`smtpops.yamlio.loads` does (so
:func:`smtpops.yamlio.values` may answer from it too), and only when the caller says the text
may be kept: the connection test keeps a config once it passed validation and every secret
field in it is encrypted (a plaintext password is never copied anywhere), and the settings
once they were read without error.

**Never an error.** A missing, unreadable, corrupt or foreign copy (another digest, format or
version) is ignored, and the text is parsed; copies are written atomically
(:mod:`smtpops.atomic`); a folder that cannot be written goes without. The oldest copies go first
beyond :data:`MAX_COPIES`.

**Scope.** A command uses the cache only inside :func:`used` (``smtpops test`` of one config,
which writes its test log to ``.smtpops/`` anyway); everywhere else every text is parsed, as
before.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any

from smtpops import __version__, digests, localstate, yamlio

FORMAT = 1
FOLDER = ("cache", "parsed")
MAX_COPIES = 256  # a copy per text: each edit of a config makes one; the oldest go first
_SUFFIX = ".json"

_FOLDER: ContextVar[str | None] = ContextVar("smtpops_parse_cache", default=None)


def _digest(text: str) -> str:
    return digests.new(text.encode("utf-8", "surrogatepass")).hexdigest()


@contextlib.contextmanager
def used(root: str) -> Iterator[None]:
    """Within this block, :mod:`smtpops.yamlio` answers a text that the cache of the
    repository at ``root`` knows from its copy, and :func:`keep` may add copies. Threads
    started with a copy of this context (``contextvars.copy_context``) use it too."""
    folder = os.path.join(localstate.top(root), *FOLDER)

    def recall(text: str) -> dict[str, Any] | None:
        digest = _digest(text)
        return _read(os.path.join(folder, digest + _SUFFIX), digest)

    folder_token = _FOLDER.set(folder)
    recall_token = yamlio.RECALL.set(recall)
    try:
        yield
    finally:
        yamlio.RECALL.reset(recall_token)
        _FOLDER.reset(folder_token)


def _read(path: str, digest: str) -> dict[str, Any] | None:
    """The mapping kept at ``path`` for the text of ``digest`` (a new one on each call: the
    caller owns it), or None."""
    try:
        with open(path, "rb") as handle:
            saved = json.loads(handle.read())
    except (OSError, ValueError):  # missing, unreadable, not JSON (UnicodeError is a ValueError)
        return None
    if not isinstance(saved, dict) or not isinstance(saved.get("data"), dict):
        return None
    head = (saved.get("format"), saved.get("smtpops"), saved.get("digest"))
    if head != (FORMAT, __version__, digest):
        return None
    data: dict[str, Any] = saved["data"]
    return data


def keep(document: yamlio.Document) -> None:
    """Keep a copy of ``document`` (as :func:`smtpops.yamlio.loads` made it), when the cache
    is in use here (:func:`used`) and the copy would answer exactly as a parse does; the
    caller has checked that the text may be kept (see the module's docstring)."""
    folder = _FOLDER.get()
    if folder is None or not isinstance(document.data, dict):
        return
    digest = _digest(document.text)
    path = os.path.join(folder, digest + _SUFFIX)
    if os.path.exists(path):
        return
    record = {"format": FORMAT, "smtpops": __version__, "digest": digest, "data": document.data}
    try:
        text = json.dumps(record, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError):  # a value JSON cannot hold (a date, infinity)
        return
    if json.loads(text)["data"] != document.data:
        return  # e.g. a number as a mapping key, which JSON turns into a string
    # lazy(start-up): PyYAML; only a run that adds a copy compares with yaml.safe_load
    from smtpops import yamlparser

    try:
        plain = yamlparser.values(document.text)
    except Exception:  # safe_load refusing the text just means: do not keep it
        return
    if _exact(plain) != _exact(document.data):
        return  # values() would answer otherwise than a parse (1 and True are ==)
    # lazy(start-up): atomic loads tempfile; only a run that adds a copy writes
    from smtpops import atomic

    try:
        localstate.make_dir(folder)
        atomic.write_text(path, text, durable=False)  # a torn copy is not JSON: ignored
        localstate.prune(folder, (_SUFFIX,), MAX_COPIES)
    except OSError:
        return


def _exact(value: Any) -> str | None:
    """``value`` as JSON that tells 1, 1.0 and True apart (None: JSON cannot hold it)."""
    try:
        return json.dumps(value, sort_keys=False, allow_nan=False)
    except (TypeError, ValueError):
        return None
