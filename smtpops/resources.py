"""Find the bundled ``schemas/`` and ``providers/`` folders, from a checkout or a wheel.

The ``*_path`` functions give plain strings (what the validation cache's fast path needs,
without loading pathlib); the others the same places as :class:`pathlib.Path`.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

_PACKAGE = os.path.dirname(os.path.realpath(__file__))


def data_path(name: str) -> str:
    """``schemas`` or ``providers``: the checkout's top-level folder, else the wheel's copy."""
    checkout = os.path.join(os.path.dirname(_PACKAGE), name)
    if os.path.isdir(checkout):
        return checkout
    return os.path.join(_PACKAGE, "_data", name)


def schema_file() -> str:
    return os.path.join(data_path("schemas"), "smtp-config.schema.json")


def _path(text: str) -> Path:
    # lazy(start-up): pathlib (~2 ms); a validation the cache answers needs only strings
    from pathlib import Path

    return Path(text)


def data_dir(name: str) -> Path:
    """:func:`data_path` as a Path."""
    return _path(data_path(name))


def schema_path() -> Path:
    return _path(schema_file())


def repo_file(rel: str) -> Path:
    """A file of this project that ``smtpops init`` copies (workflows, hooks, CODEOWNERS,
    environments): the checkout's, else the wheel's copy under ``_data/``."""
    checkout = os.path.join(os.path.dirname(_PACKAGE), rel)
    if os.path.isfile(checkout):
        return _path(checkout)
    return _path(os.path.join(_PACKAGE, "_data", rel))
