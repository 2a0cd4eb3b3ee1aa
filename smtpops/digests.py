"""Digests without OpenSSL: BLAKE2b for smtpops' caches, SHA-256 for the seal's CA file, and
HMAC-MD5 for CRAM-MD5 (RFC 2195).

``hashlib`` loads OpenSSL's ``_hashlib`` and makes a constructor for every algorithm it
knows: about 4.5 ms of start-up, a thirtieth of a connection test and a twentieth of a warm
validate run. BLAKE2b, SHA-256 and MD5 are CPython's own modules, the very functions
``hashlib`` falls back to, so smtpops takes them from there; a Python built without one gets
hashlib's. HMAC is the two-hash construction of RFC 2104 written out, as the standard
library's ``hmac`` does it where OpenSSL is not used; its tests compare it with ``hmac.new``.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable
from typing import Any

try:
    from _blake2 import blake2b as _blake2b
except ImportError:  # pragma: no cover - a Python built without its BLAKE2 module
    from hashlib import blake2b as _blake2b


@functools.cache
def _builtin(name: str, *modules: str) -> Callable[[bytes], Any]:
    """CPython's own constructor ``name`` from the first of ``modules`` this Python has
    (loaded on first use: a cache key needs neither)."""
    for module in modules:
        try:
            return getattr(importlib.import_module(module), name)  # type: ignore[no-any-return]
        except ImportError:  # pragma: no cover - depends on how Python was built
            continue
    # lazy(start-up): hashlib (~4.5 ms), only on a Python built without the module
    import hashlib  # pragma: no cover

    return getattr(hashlib, name)  # type: ignore[no-any-return]  # pragma: no cover


SIZE = 32  # bytes
_BLOCK = 64  # MD5's block size, in bytes
_INNER = bytes(x ^ 0x36 for x in range(256))
_OUTER = bytes(x ^ 0x5C for x in range(256))


def new(data: bytes = b"") -> _blake2b:
    """A digest object (``update``, ``digest``, ``hexdigest``) started with ``data``."""
    return _blake2b(data, digest_size=SIZE)


def sha256_hex(data: bytes) -> str:
    """``hashlib.sha256(data).hexdigest()``."""
    return str(_builtin("sha256", "_sha256", "_sha2")(data).hexdigest())  # 3.12: _sha2


def hmac_md5_hex(key: bytes, message: bytes) -> str:
    """``hmac.new(key, message, hashlib.md5).hexdigest()`` (RFC 2104)."""
    md5 = _builtin("md5", "_md5")
    if len(key) > _BLOCK:
        key = md5(key).digest()
    key = key.ljust(_BLOCK, b"\0")
    inner = md5(key.translate(_INNER) + message).digest()
    return str(md5(key.translate(_OUTER) + inner).hexdigest())
