"""Paths inside the repository: the one check every reader and writer of a config uses.

A path is resolved first (symbolic links followed, ``..`` folded), then checked to lie inside
the repository root, so neither ``ca_file: /etc/passwd``, ``../outside.pem`` nor a link that
points out of the repository reaches a file smtpops should not touch. A config file must be a
real file in its folder: a link would let one environment's folder show another's file, which
validation and deploy would then read as two different environments.
"""

from __future__ import annotations

import os
import unicodedata

from smtpops.errors import InputError, UsageError


def work_tree(start: str) -> str | None:
    """The nearest folder at or above ``start`` that holds ``.git`` (a folder, or a file for
    a linked worktree); None outside any git work tree."""
    here = os.path.abspath(start)
    while True:
        if os.path.exists(os.path.join(here, ".git")):
            return here
        parent = os.path.dirname(here)
        if parent == here:
            return None
        here = parent


def is_inside(root: str, path: str) -> bool:
    """Whether ``path`` (relative to ``root`` when not absolute), once resolved, is ``root``
    or lies below it (``root`` resolved too)."""
    base = os.path.realpath(root)
    full = os.path.realpath(path if os.path.isabs(path) else os.path.join(base, path))
    return full == base or full.startswith(base.rstrip(os.sep) + os.sep)


def inside(root: str, path: str, *, what: str) -> str:
    """The resolved path of ``path`` under ``root``; InputError (exit 2) when it is outside."""
    if not is_inside(root, path):
        raise InputError(
            f"{what} '{path}' is outside the repository",
            hint="Keep the file in the repository and give its path relative to the "
            "repository root (e.g. certs/ca.pem).",
        )
    base = os.path.realpath(root)
    return os.path.realpath(path if os.path.isabs(path) else os.path.join(base, path))


def link_in_path(root: str, path: str) -> str | None:
    """The first part of ``path`` below ``root`` that is a symbolic link (the file itself or
    a folder on the way to it), or None. ``root`` itself may be reached through links."""
    base = os.path.abspath(root)
    full = os.path.abspath(path)
    rel = os.path.relpath(full, base)
    if rel == os.curdir:
        return None
    if rel.startswith(os.pardir):
        return full if os.path.islink(full) else None
    here = base
    for part in rel.split(os.sep):
        here = os.path.join(here, part)
        if os.path.islink(here):
            return here
    return None


def refuse_link(root: str, path: str, shown: str) -> None:
    """InputError (exit 2) when the config ``path`` is a symbolic link or lies in a linked
    folder, or resolves to a file outside the repository."""
    link = link_in_path(root, path)
    if link is not None:
        target = os.readlink(link)
        raise InputError(
            f"{shown}: the config file is a symbolic link (to {target}); smtpops reads and "
            "deploys only real files",
            hint="Replace the link with a copy of the file (or delete it), so that the file "
            "that is reviewed is the file that is deployed.",
        )
    if not is_inside(root, path):
        raise InputError(
            f"{shown}: the config file is outside the repository",
            hint="Keep configs in configs/<environment>/ of the repository.",
        )


def check_segment(value: str, what: str) -> None:
    """A NAME or ENV that becomes one path segment: not empty, no path separator, no ``.``
    or ``..``, no line break or other control character. UsageError (exit 2) otherwise."""
    bad = next(
        (c for c in value if c in "/\\" or unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp")),
        None,
    )
    if not value or value in (".", "..") or bad is not None:
        why = (
            "it is empty"
            if not value
            else f"it contains {bad!r}"
            if bad is not None
            else "it is a folder reference"
        )
        example = "production" if what == "environment" else "gmail-alerts"
        raise UsageError(
            f"{what} {value!r} cannot be used: {why}",
            hint=f"Give the {what} as one word of letters, digits, '-' or '_' (e.g. {example}).",
        )
