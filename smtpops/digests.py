"""Content digests for smtpops' caches: BLAKE2b, 256 bits.

``hashlib`` loads OpenSSL's ``_hashlib`` (about 4.6 ms, a twentieth of a warm validate run).
BLAKE2 is CPython's own module, and ``hashlib.blake2b`` is that very function, so the caches
take it from there; a Python built without it gets hashlib's.
"""

from __future__ import annotations

try:
    from _blake2 import blake2b as _blake2b
except ImportError:  # pragma: no cover - a Python built without its BLAKE2 module
    from hashlib import blake2b as _blake2b

SIZE = 32  # bytes


def new(data: bytes = b"") -> _blake2b:
    """A digest object (``update``, ``digest``, ``hexdigest``) started with ``data``."""
    return _blake2b(data, digest_size=SIZE)
