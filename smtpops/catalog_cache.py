"""A parsed copy of the bundled provider facts, kept the way Python keeps its ``.pyc`` files.

Parsing the 26 bundled ``providers/*/provider.yaml`` costs a cold ``smtpops validate`` about
6 ms; reading them back from JSON costs a tenth of that. The copy lives in the user's cache
folder (``$XDG_CACHE_HOME/smtpops/``, else ``~/.cache/smtpops/``), one file per smtpops
version and providers folder, and holds the ``provider.yaml`` mappings exactly as loaded
(``Document.data``), not the records made from them.

**Key.** The copy is used only when its key equals the key of the folder now: the format of
this file, the smtpops version, the providers folder's absolute path, and for every folder
that holds a ``provider.yaml`` its name and the file's size and ``st_mtime_ns``. Like a
``.pyc``, the key is the listing and the stats, not the files' bytes: 26 ``stat`` calls
(0.06 ms measured) cost a third of reading and hashing the files (0.17 ms). An edit that
keeps both a file's size and its modification time to the nanosecond (a tool that puts the
old time back) goes unseen, as it would for a ``.pyc``.

**Never an error.** A missing, unreadable, corrupt or foreign copy (another key, another
format, values that do not make providers) is ignored, and rewritten when the folder can be
written: a temporary file next to it, then ``os.replace``, so a reader sees the old copy or
the new one, never half of one. An unwritable cache folder or home (CI containers) just goes
without. :mod:`smtpops.atomic` is not used: inside a git work tree it puts its temporary
file in that tree's ``.smtpops/tmp/``, and a cache folder under a home kept in git must not
leave one there.

**Scope.** Only the bundled folder is copied. A providers folder of the user's
(``Options.providers_dir``, ``catalog(root)``) is read and checked against the schema on
every run, as before.

**``--no-cache``** does not skip it. ``--no-cache`` is about the validation cache in
``.smtpops/cache/validate/``: findings about the user's configs. This copy is smtpops' own
data, checked against the stats of the files it came from on every run, as Python checks a
``.pyc`` (which ``--no-cache`` does not skip either). The runs it speeds up are the cold
ones: a changed file the validation cache cannot answer, measured with ``--no-cache``.
"""

from __future__ import annotations

import contextlib
import json
import os
from typing import Any

from smtpops import __version__

FORMAT = 1
_PREFIX = "providers-"
_FACTS = "provider.yaml"

Key = dict[str, Any]


def cache_folder() -> str | None:
    """``$XDG_CACHE_HOME/smtpops`` (when it is absolute, as the XDG spec asks), else
    ``~/.cache/smtpops``; None when there is no home to put it in."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):
        home = os.path.expanduser("~")
        if not os.path.isabs(home):
            return None  # no HOME and no passwd entry: "~" would land in the working folder
        base = os.path.join(home, ".cache")
    return os.path.join(base, "smtpops")


def _name(folder: str) -> str:
    """The copy's file name: the version and a short checksum of the providers folder, so
    two installs (or checkouts) do not take turns overwriting one file. The key inside
    decides; a clash of checksums costs a rewrite, not a wrong answer."""
    checksum = 0x811C9DC5  # FNV-1a: a few lines, where hashlib would be an import
    for byte in folder.encode("utf-8", "surrogateescape"):
        checksum = ((checksum ^ byte) * 0x01000193) & 0xFFFFFFFF
    return f"{_PREFIX}{__version__}-{checksum:08x}.json"


def key(base: str, folders: list[str]) -> Key | None:
    """The key of the providers folder ``base`` (its sorted entries ``folders``), or None
    when a ``provider.yaml`` cannot be looked at (the caller reads the YAML, which names the
    problem)."""
    files = []
    for folder in folders:
        facts = os.path.join(base, folder, _FACTS)
        try:
            stat = os.stat(facts)
        except (FileNotFoundError, NotADirectoryError):
            if os.path.lexists(facts):
                return None  # a broken link: reading it gives the error
            continue
        except OSError:
            return None
        files.append([folder, stat.st_size, stat.st_mtime_ns])
    return {
        "format": FORMAT,
        "version": __version__,
        "folder": os.path.abspath(base),
        "files": files,
    }


def _path(current: Key) -> str | None:
    folder = cache_folder()
    return os.path.join(folder, _name(current["folder"])) if folder else None


def load(current: Key) -> list[dict[str, Any]] | None:
    """The provider.yaml mappings saved under ``current`` (one per entry of its files, in
    order), or None when there is no copy with exactly that key."""
    path = _path(current)
    if path is None:
        return None
    try:
        with open(path, "rb") as handle:
            saved = json.loads(handle.read())
    except (OSError, ValueError):  # missing, unreadable, not JSON (UnicodeError is a ValueError)
        return None
    if not isinstance(saved, dict) or saved.get("key") != current:
        return None
    docs = saved.get("docs")
    if not isinstance(docs, list) or len(docs) != len(current["files"]):
        return None
    if not all(isinstance(doc, dict) for doc in docs):
        return None
    return docs


def save(current: Key, docs: list[dict[str, Any]]) -> None:
    """Keep ``docs`` under ``current``, when JSON gives them back unchanged and the cache
    folder can be written; otherwise do nothing."""
    path = _path(current)
    if path is None:
        return
    try:
        text = json.dumps({"key": current, "docs": docs}, ensure_ascii=False)
    except (TypeError, ValueError):  # a value JSON cannot hold (a YAML date)
        return
    if json.loads(text)["docs"] != docs:  # e.g. a number as a mapping key becomes a string
        return
    tmp = f"{path}.{os.getpid()}.{os.urandom(4).hex()}.tmp"
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
