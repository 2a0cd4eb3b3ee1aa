"""Atomic file writes: write a temporary file, then rename it over the target.

Inside a git work tree the temporary file lives in ``<root>/.smtpops/tmp/`` (which ignores
itself), not next to the target: a process killed between the write and the rename
(SIGKILL, power loss) then leaves nothing in the work tree that git would show or a commit
could pick up. Outside a work tree, or when ``.smtpops/`` is on another file system (a
rename cannot cross one), the temporary file goes next to the target as before.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
import time

from smtpops.localstate import state_dir
from smtpops.repopath import work_tree

TMP_PREFIX = ".smtpops-"
TMP_SUFFIX = ".tmp"
_STALE = 3600.0  # seconds after which a leftover temp file under .smtpops/tmp/ is removed


def _sweep(folder: str) -> None:
    """Remove temp files a killed process left here more than an hour ago."""
    cutoff = time.time() - _STALE
    with contextlib.suppress(OSError):
        for entry in os.scandir(folder):
            with contextlib.suppress(OSError):
                if entry.name.endswith(TMP_SUFFIX) and entry.stat().st_mtime < cutoff:
                    os.unlink(entry.path)


def temp_dir_for(path: str) -> str:
    """Where the temporary file for writing ``path`` goes (see the module docstring)."""
    directory = os.path.dirname(os.path.abspath(path))
    root = work_tree(directory)
    if root is None:
        return directory
    folder = state_dir(root, "tmp")
    _sweep(folder)
    return folder


def _write_via(directory: str, path: str, data: bytes, mode: int | None, durable: bool) -> None:
    fd, tmp = tempfile.mkstemp(prefix=TMP_PREFIX, suffix=TMP_SUFFIX, dir=directory)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        if mode is None and os.path.exists(path):
            mode = os.stat(path).st_mode & 0o7777
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def write_bytes(path: str, data: bytes, *, mode: int | None = None, durable: bool = True) -> None:
    """Replace ``path`` with ``data`` at once. ``durable=False`` skips the fsync: for a cache,
    whose torn entry after a crash is detected and ignored, not for anything that matters."""
    directory = temp_dir_for(path)
    try:
        _write_via(directory, path, data, mode, durable)
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise
        _write_via(os.path.dirname(os.path.abspath(path)), path, data, mode, durable)


def write_text(path: str, text: str, *, mode: int | None = None, durable: bool = True) -> None:
    write_bytes(path, text.encode("utf-8"), mode=mode, durable=durable)
