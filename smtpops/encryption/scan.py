"""Looking through a repository for what must never be in it: age private keys and decrypted
copies of config files. Keyless; findings name the file and line, never the secret.

Every file is read whole, whatever its size: a file over :data:`MAX_BYTES` is mapped into
memory (``mmap``: the page cache holds it, not the heap) and the byte patterns run over the
mapping once each, so time grows linearly with the size and memory stays bounded. (Big files
used to be looked at by name only, so a password in a 10 MB log passed unseen.)"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import TYPE_CHECKING, AnyStr, TypeAlias

from smtpops.encryption.leaks import AGE_SECRET_KEY
from smtpops.encryption.scope import MAX_BYTES, SKIP_DIRS, quick_paths
from smtpops.records import record

if TYPE_CHECKING:
    import mmap

__all__ = ["MAX_BYTES", "Finding", "quick_paths", "repository_paths", "scan_file", "scan_paths"]


def _lazy(source: AnyStr, flags: int = 0) -> Callable[[], re.Pattern[AnyStr]]:
    """The pattern ``source``, compiled the first time it is asked for: a one-file run looks
    at the names of the files it checks (``_DECRYPTED_NAME``), not at their content."""
    return lru_cache(maxsize=1)(lambda: re.compile(source, flags))


_DECRYPTED_NAME = re.compile(
    r"\.(?:dec|decrypted|plain|cleartext|unencrypted)\.(?:ya?ml|json)$", re.I
)
_PLAIN_PASSWORD = _lazy(rb"^password:[ \t]*(?!ENC\[)[^\s#]", re.M)
# files named like a password, secret or credential store (data files, not source code)
_CREDENTIAL_STEM = _lazy(
    r"(?:^|[._-])(?:passwords?|passwd|pass|pwd|secrets?|credentials?|creds|app[-_]?password)"
    r"(?:$|[._-])",
    re.I,
)
_DATA_SUFFIXES = {"", ".txt", ".ini", ".cfg", ".conf", ".properties", ".json", ".yaml", ".yml"}
_DATA_SUFFIXES |= {".key", ".pass", ".pwd", ".secret", ".csv", ".asc"}
_ENV_FILE = _lazy(r"^(?:\.env(?:\..+)?|.+\.env|\.netrc|_netrc|\.pgpass)$", re.I)
_EXAMPLE_SUFFIXES = (".example", ".sample", ".template", ".dist", ".tmpl")
# SMTP_PASSWORD=…, export MAIL_PASSWORD="…" (a value, not a $VARIABLE reference, and not
# SOPS ciphertext such as a rendered k8s-secret's `SMTP_PASSWORD: ENC[AES256_GCM,…]`)
_PASSWORD_ASSIGNMENT = _lazy(
    rb"^[ \t]*(?:export[ \t]+)?[A-Z0-9_]*(?:SMTP|MAIL|EMAIL)_?(?:PASS(?:WORD)?|SECRET|PWD)"
    rb"[ \t]*[=:][ \t]*['\"]?(?![$'\"\s<{]|ENC\[)\S",
    re.M,
)
_HOST = _lazy(rb"^host:", re.M)
_AGE_SECRET_KEY = _lazy(AGE_SECRET_KEY.pattern.encode("ascii"))
_NOT_SPACE = _lazy(rb"\S")
_BINARY_PROBE = 8192  # a NUL byte in the first 8 KiB: a binary file, looked at by name only


@record(frozen=True, kw_only=True)
class Finding:
    path: str
    line: int | None
    message: str


def _display(path: str) -> str:
    rel = os.path.relpath(path)
    return path if rel.startswith("..") else rel


def repository_paths(root: str) -> list[str]:
    """Every file git would see (tracked, or untracked and not ignored); without git, a walk."""
    # lazy(start-up): subprocess (~4 ms); a run over named files never lists the repository
    import subprocess

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


Content: TypeAlias = "bytes | mmap.mmap"


@contextmanager
def _opened(path: str) -> Iterator[Content | None]:
    """The bytes of ``path`` (mapped when over :data:`MAX_BYTES`), or None when it is not a
    regular file that can be read."""
    try:
        if not os.path.isfile(path):
            yield None
            return
        with open(path, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            if size <= MAX_BYTES:
                data: Content = handle.read()
                yield data
                return
            # lazy(start-up): mmap (~1 ms, an extension module), only for a file over MAX_BYTES
            import mmap

            with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
                yield mapped
    except (OSError, ValueError):  # unreadable, or changed size while being mapped
        yield None


class _Lines:
    """Line numbers of offsets asked for in increasing order, counted once (linear)."""

    def __init__(self, data: Content) -> None:
        self.data, self.at, self.line = data, 0, 1

    def of(self, offset: int) -> int:
        if offset < self.at:
            self.at, self.line = 0, 1
        self.line += self.data[self.at : offset].count(b"\n")
        self.at = offset
        return self.line


def credential_file_name(name: str) -> bool:
    """Whether a file name looks like a plaintext credential store: ``password.txt``,
    ``smtp-secret``, ``.env``, ``prod.env``, ``.netrc`` (examples like ``.env.example`` and
    source code like ``password.py`` do not)."""
    if name.lower().endswith(_EXAMPLE_SUFFIXES):
        return False
    if _ENV_FILE().match(name):
        return True
    stem, suffix = os.path.splitext(name)
    if name.startswith(".") and not suffix:
        stem = name[1:]
    return suffix.lower() in _DATA_SUFFIXES and bool(_CREDENTIAL_STEM().search(stem))


def _encrypted(data: Content) -> bool:
    return data.find(b"ENC[AES256_GCM,") != -1 or data.find(b"-----BEGIN AGE ENCRYPTED FILE") != -1


def scan_file(path: str, *, content: bool = True) -> list[Finding]:
    shown = _display(path)
    found: list[Finding] = []
    name = os.path.basename(path)
    if _DECRYPTED_NAME.search(name):
        found.append(
            Finding(path=shown, line=None, message="this file is named like a decrypted copy")
        )
    if not content:
        return found
    with _opened(path) as data:
        found += _scan_content(path, shown, name, data)
    return found


def _scan_content(path: str, shown: str, name: str, data: Content | None) -> list[Finding]:
    found: list[Finding] = []
    binary = data is None or data.find(b"\0", 0, _BINARY_PROBE) != -1
    text = data if data is not None and not binary else b""
    plaintext = not _encrypted(text) and (data is None or _NOT_SPACE().search(data) is not None)
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
    lines = _Lines(text)
    for match in _PASSWORD_ASSIGNMENT().finditer(text):
        found.append(
            Finding(
                path=shown,
                line=lines.of(match.start()),
                message="this line sets a mail password in plain text",
            )
        )
    last = -1
    for match in _AGE_SECRET_KEY().finditer(text):
        line = lines.of(match.start())
        if line != last:  # one finding per line
            found.append(
                Finding(path=shown, line=line, message="this file holds an age private key")
            )
            last = line
    plain = _PLAIN_PASSWORD().search(text) if path.endswith((".yaml", ".yml")) else None
    if plain and _HOST().search(text):
        found.append(
            Finding(
                path=shown,
                line=lines.of(plain.start()),
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
        with _opened(path) as data:
            if data is None:
                continue
            for needle in wanted:
                at = data.find(needle)
                if at != -1:
                    found.append(
                        Finding(
                            path=_display(path),
                            line=_Lines(data).of(at),
                            message="this file holds a decrypted password of this repository",
                        )
                    )
                    break
    return found


def tracked_paths(root: str) -> list[str]:
    """The files git tracks (what a push would publish); empty without git."""
    # lazy(start-up): subprocess (~4 ms); a run over named files never lists the repository
    import subprocess

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
