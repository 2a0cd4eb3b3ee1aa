"""``.smtpops/``: machine-local state (locks, journals, test logs, the sandbox's files).

Every writer creates its folder through :func:`make_dir`, which also puts a ``.gitignore``
of ``*`` at the top of ``.smtpops/`` so none of it ends up in a commit, whatever the
repository's own .gitignore says.
"""

from __future__ import annotations

import contextlib
import os

TOP = ".smtpops"
_IGNORE = "# machine-local smtpops state (locks, journals, test log, sandbox)\n*\n"


def make_dir(path: str) -> str:
    """Create ``path``; when it lies in a ``.smtpops`` folder, make that folder ignore itself."""
    os.makedirs(path, exist_ok=True)
    parts = os.path.abspath(path).split(os.sep)
    if TOP in parts:
        top = os.sep.join(parts[: len(parts) - parts[::-1].index(TOP)])
        ignore = os.path.join(top, ".gitignore")
        if not os.path.exists(ignore):
            with open(ignore, "w", encoding="utf-8") as handle:
                handle.write(_IGNORE)
    return path


def top(root: str) -> str:
    """``<root>/.smtpops``: where the state of the repository at ``root`` lives (not created)."""
    return os.path.join(root, TOP)


def state_dir(root: str, *parts: str) -> str:
    """``<root>/.smtpops/<parts>``, created and ignored by git."""
    return make_dir(os.path.join(root, TOP, *parts))


def prune(folder: str, suffixes: tuple[str, ...], keep: int) -> None:
    """Delete the oldest files of ``folder`` whose names end in ``suffixes`` until ``keep``
    remain (a cache's bound). A file another process deletes meanwhile is no error."""
    names = [n for n in os.listdir(folder) if n.endswith(suffixes)]
    if len(names) <= keep:
        return

    def age(path: str) -> float:
        try:
            return os.path.getmtime(path)
        except OSError:  # gone already: first in line, and its unlink is skipped
            return 0.0

    paths = sorted((os.path.join(folder, n) for n in names), key=age)
    for path in paths[: len(paths) - keep]:
        with contextlib.suppress(OSError):
            os.unlink(path)
