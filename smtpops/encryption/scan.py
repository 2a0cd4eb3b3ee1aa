"""Looking through a repository for what must never be in it: age private keys and decrypted
copies of config files. Keyless; findings name the file and line, never the secret."""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass

from smtpops.encryption.leaks import AGE_SECRET_KEY
from smtpops.encryption.scope import MAX_BYTES, SKIP_DIRS, quick_paths

__all__ = ["MAX_BYTES", "Finding", "quick_paths", "repository_paths", "scan_file", "scan_paths"]

_DECRYPTED_NAME = re.compile(
    r"\.(?:dec|decrypted|plain|cleartext|unencrypted)\.(?:ya?ml|json)$", re.I
)
_PLAIN_PASSWORD = re.compile(r"^password:[ \t]*(?!ENC\[)[^\s#]", re.M)
# files named like a password, secret or credential store (data files, not source code)
_CREDENTIAL_STEM = re.compile(
    r"(?:^|[._-])(?:passwords?|passwd|pass|pwd|secrets?|credentials?|creds|app[-_]?password)"
    r"(?:$|[._-])",
    re.I,
)
_DATA_SUFFIXES = {"", ".txt", ".ini", ".cfg", ".conf", ".properties", ".json", ".yaml", ".yml"}
_DATA_SUFFIXES |= {".key", ".pass", ".pwd", ".secret", ".csv", ".asc"}
_ENV_FILE = re.compile(r"^(?:\.env(?:\..+)?|.+\.env|\.netrc|_netrc|\.pgpass)$", re.I)
_EXAMPLE_SUFFIXES = (".example", ".sample", ".template", ".dist", ".tmpl")
# SMTP_PASSWORD=…, export MAIL_PASSWORD="…" (a value, not a $VARIABLE reference, and not
# SOPS ciphertext such as a rendered k8s-secret's `SMTP_PASSWORD: ENC[AES256_GCM,…]`)
_PASSWORD_ASSIGNMENT = re.compile(
    r"^[ \t]*(?:export[ \t]+)?[A-Z0-9_]*(?:SMTP|MAIL|EMAIL)_?(?:PASS(?:WORD)?|SECRET|PWD)"
    r"[ \t]*[=:][ \t]*['\"]?(?![$'\"\s<{]|ENC\[)\S",
    re.M,
)
_HOST = re.compile(r"^host:", re.M)


@dataclass(frozen=True, slots=True, kw_only=True)
class Finding:
    path: str
    line: int | None
    message: str


def _display(path: str) -> str:
    rel = os.path.relpath(path)
    return path if rel.startswith("..") else rel


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
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS)
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


def credential_file_name(name: str) -> bool:
    """Whether a file name looks like a plaintext credential store: ``password.txt``,
    ``smtp-secret``, ``.env``, ``prod.env``, ``.netrc`` (examples like ``.env.example`` and
    source code like ``password.py`` do not)."""
    if name.lower().endswith(_EXAMPLE_SUFFIXES):
        return False
    if _ENV_FILE.match(name):
        return True
    stem, suffix = os.path.splitext(name)
    if name.startswith(".") and not suffix:
        stem = name[1:]
    return suffix.lower() in _DATA_SUFFIXES and bool(_CREDENTIAL_STEM.search(stem))


def _encrypted(text: str) -> bool:
    return "ENC[AES256_GCM," in text or "-----BEGIN AGE ENCRYPTED FILE-----" in text


def scan_file(path: str, *, content: bool = True) -> list[Finding]:
    shown = _display(path)
    found: list[Finding] = []
    name = os.path.basename(path)
    if _DECRYPTED_NAME.search(name):
        found.append(
            Finding(path=shown, line=None, message="this file is named like a decrypted copy")
        )
    data = _read(path) if content else None
    text = data.decode("utf-8", "replace") if data is not None and b"\0" not in data[:8192] else ""
    plaintext = content and not _encrypted(text) and (data is None or bool(data.strip()))
    if plaintext and credential_file_name(name):
        found.append(
            Finding(
                path=shown,
                line=None,
                message="this file is named like a plaintext password or secrets file",
            )
        )
    if not text:
        return found
    for match in _PASSWORD_ASSIGNMENT.finditer(text):
        found.append(
            Finding(
                path=shown,
                line=text.count("\n", 0, match.start()) + 1,
                message="this line sets a mail password in plain text",
            )
        )
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


def containing(paths: Iterable[str], needles: Iterable[bytes]) -> list[Finding]:
    """The files holding one of ``needles`` (decrypted passwords, as bytes): found by file
    and line, never shown. Needles shorter than 4 bytes are not looked for (too common)."""
    wanted = [n for n in needles if len(n) >= 4]
    found: list[Finding] = []
    if not wanted:
        return found
    for path in paths:
        data = _read(path)
        if data is None:
            continue
        for needle in wanted:
            at = data.find(needle)
            if at != -1:
                found.append(
                    Finding(
                        path=_display(path),
                        line=data.count(b"\n", 0, at) + 1,
                        message="this file holds a decrypted password of this repository",
                    )
                )
                break
    return found


def tracked_paths(root: str) -> list[str]:
    """The files git tracks (what a push would publish); empty without git."""
    try:
        out = subprocess.run(
            ["git", "-C", root, "ls-files", "-z", "--cached"],
            capture_output=True,
            timeout=30,
            check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    names = sorted(set(out.decode("utf-8", "replace").split("\0")))
    return [os.path.join(root, n) for n in names if n]
