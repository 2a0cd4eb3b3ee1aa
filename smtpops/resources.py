"""Find the bundled ``schemas/`` and ``providers/`` folders, from a checkout or a wheel."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def data_dir(name: str) -> Path:
    """``schemas`` or ``providers``: the checkout's top-level folder, else the wheel's copy."""
    checkout = _PACKAGE.parent / name
    if checkout.is_dir():
        return checkout
    return _PACKAGE / "_data" / name


def schema_path() -> Path:
    return data_dir("schemas") / "smtp-config.schema.json"


def repo_file(rel: str) -> Path:
    """A file of this project that ``smtpops init`` copies (workflows, hooks, CODEOWNERS,
    environments): the checkout's, else the wheel's copy under ``_data/``."""
    checkout = _PACKAGE.parent / rel
    if checkout.is_file():
        return checkout
    return _PACKAGE / "_data" / rel
