"""Which files the leak scans look at (:mod:`smtpops.encryption.scan` says what they look
for). Apart so the validation cache can list them for its key without loading the
patterns."""

from __future__ import annotations

import os

MAX_BYTES = 1024 * 1024  # a bigger file is mapped into memory (mmap), not read into it
SKIP_DIRS = {
    ".git",
    ".venv",
    "venv",
    "node_modules",
    "__pycache__",
    ".tox",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
    ".hypothesis",
    # machine-local state (localstate): it git-ignores itself, so with git the scan never
    # sees it either; its validation cache holds the rule docs' fake key-shaped examples
    ".smtpops",
}


def quick_paths(root: str, configs_dir: str) -> list[str]:
    """What ``validate`` looks at: everything under configs/ and the repository's top level."""
    found = [
        os.path.join(root, n)
        for n in sorted(os.listdir(root))
        if os.path.isfile(os.path.join(root, n))
    ]
    for folder, dirs, files in os.walk(configs_dir):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS)
        found.extend(os.path.join(folder, n) for n in sorted(files))
    return found
