"""Looking through a repository for what must never be in it: age private keys and decrypted
copies of config files. Keyless; findings name the file and line, never the secret."""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass

from smtpops.encryption.leaks import AGE_SECRET_KEY

MAX_BYTES = 1024 * 1024
_SKIP_DIRS = {
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
}
_DECRYPTED_NAME = re.compile(
    r"\.(?:dec|decrypted|plain|cleartext|unencrypted)\.(?:ya?ml|json)$", re.I
)
_PLAIN_PASSWORD = re.compile(r"^password:[ \t]*(?!ENC\[)[^\s#]", re.M)
_HOST = re.compile(r"^host:", re.M)


@dataclass(frozen=True, slots=True, kw_only=True)
class Finding:
    path: str
    line: int | None
    message: str


def _display(path: str) -> str:
    rel = os.path.relpath(path)
    return path if rel.startswith("..") else rel


def quick_paths(root: str, configs_dir: str) -> list[str]:
    """What ``validate`` looks at: everything under configs/ and the repository's top level."""
    found = [
        os.path.join(root, n)
        for n in sorted(os.listdir(root))
        if os.path.isfile(os.path.join(root, n))
    ]
    for folder, dirs, files in os.walk(configs_dir):
        dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS)
        found.extend(os.path.join(folder, n) for n in sorted(files))
    return found


def repository_paths(root: str) -> list[str]:
    """Every file git would see (tracked, or untracked and not ignored); without git, a walk."""
    try:
        out = subprocess.run(
            ["git", "-C", root, "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            capture_output=True,
            timeout=30,
            check=True,
        ).stdout
        return [
            os.path.join(root, p)
            for p in sorted(set(out.decode("utf-8", "replace").split("\0")))
            if p
        ]
    except (OSError, subprocess.SubprocessError):
        pass
    found: list[str] = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS)
        found.extend(os.path.join(folder, n) for n in sorted(files))
    return found


def _read(path: str) -> bytes | None:
    try:
        if not os.path.isfile(path) or os.path.getsize(path) > MAX_BYTES:
            return None
        with open(path, "rb") as handle:
            return handle.read()
    except OSError:
        return None


def scan_file(path: str, *, content: bool = True) -> list[Finding]:
    shown = _display(path)
    found: list[Finding] = []
    if _DECRYPTED_NAME.search(os.path.basename(path)):
        found.append(
            Finding(path=shown, line=None, message="this file is named like a decrypted copy")
        )
    data = _read(path) if content else None
    if data is None or b"\0" in data[:8192]:
        return found
    text = data.decode("utf-8", "replace")
    if "AGE-SECRET-KEY-" in text:
        for number, line in enumerate(text.splitlines(), start=1):
            if AGE_SECRET_KEY.search(line):
                found.append(
                    Finding(path=shown, line=number, message="this file holds an age private key")
                )
    plain = _PLAIN_PASSWORD.search(text)
    if path.endswith((".yaml", ".yml")) and plain and _HOST.search(text):
        found.append(
            Finding(
                path=shown,
                line=text[: plain.start()].count("\n") + 1,
                message="this file looks like a config with its password decrypted",
            )
        )
    return found


def scan_paths(
    paths: Iterable[str], skip: set[str] | frozenset[str] = frozenset()
) -> list[Finding]:
    found: list[Finding] = []
    for path in paths:
        found.extend(scan_file(path, content=os.path.abspath(path) not in skip))
    return found
