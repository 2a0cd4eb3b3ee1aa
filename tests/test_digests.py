"""The digests smtpops computes without OpenSSL give exactly what ``hashlib`` and ``hmac``
give: SHA-256 (the seal's CA file) and HMAC-MD5 (CRAM-MD5), for any key and message,
including keys longer than MD5's block (hashed first, RFC 2104) and RFC 2195's example."""

from __future__ import annotations

import hashlib
import hmac
import subprocess
import sys

from hypothesis import given
from hypothesis import strategies as st

from smtpops import digests


@given(st.binary(max_size=300), st.binary(max_size=300))
def test_hmac_md5_is_the_standard_one(key: bytes, message: bytes) -> None:
    assert digests.hmac_md5_hex(key, message) == hmac.new(key, message, hashlib.md5).hexdigest()


def test_hmac_md5_at_the_block_size_and_rfc_2195() -> None:
    for size in (63, 64, 65, 128):
        key = bytes(range(size % 256)) * (size // 256 + 1)
        key = key[:size]
        assert digests.hmac_md5_hex(key, b"x") == hmac.new(key, b"x", hashlib.md5).hexdigest()
    challenge = b"<1896.697170952@postoffice.reston.mci.net>"
    assert digests.hmac_md5_hex(b"tanstaaftanstaaf", challenge) == (
        "b913a602c7eda7a495b4e6e7334d3890"  # RFC 2195, section 2
    )


@given(st.binary(max_size=2000))
def test_sha256_is_the_standard_one(data: bytes) -> None:
    assert digests.sha256_hex(data) == hashlib.sha256(data).hexdigest()


def test_no_openssl_digests_are_loaded() -> None:
    code = "import sys, smtpops.digests, smtpops.probe.auth, smtpops.encryption.binding\n"
    code += "print(sorted(m for m in ('hashlib', '_hashlib', 'hmac') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
