"""Tampering is caught: keyless where the structure breaks, with the key where only the
cryptography can tell (sops' AES-GCM tags and MAC)."""

from __future__ import annotations

import json
import re

import pytest

from smtpops.encryption import decrypt_password, set_password
from smtpops.errors import EncryptionError
from smtpops.secret import Secret
from tests.conftest import CANARY, assert_no_canary


def _flip_first(text: str, field: str, part: str) -> str:
    """Change the first base64 character of ``part`` (data/iv/tag) of the ENC value of ``field``."""
    pattern = re.compile(rf"(^\s*{field}: ENC\[AES256_GCM,.*?{part}:)(.)", re.M)
    match = pattern.search(text)
    assert match, (field, part)
    new = "A" if match[2] != "A" else "B"
    return text[: match.start(2)] + new + text[match.end(2) :]


@pytest.fixture
def encrypted(repo, monkeypatch):
    path = repo.write("production", "main")
    set_password(str(path), Secret(CANARY))
    repo.use_key(monkeypatch, "production")
    return path


def _keyed(run_cli, expect: int) -> dict:
    result = run_cli("secrets", "check", "--format", "json", expect=expect)
    assert_no_canary(result.stdout, result.stderr)
    return json.loads(result.stdout)


@pytest.mark.parametrize(
    ("field", "part", "says"),
    [
        ("password", "data", "cannot be decrypted"),
        ("password", "tag", "cannot be decrypted"),
        ("password", "iv", "cannot be decrypted"),
        ("mac", "data", "checksum"),
        ("mac", "tag", "checksum"),
    ],
)
def test_tampered_ciphertext_or_mac_is_caught_with_the_key(
    encrypted, run_cli, field, part, says
) -> None:
    encrypted.write_text(_flip_first(encrypted.read_text(), field, part))
    keyless = run_cli("validate", "--format", "json", expect=0)  # still well-formed
    assert not json.loads(keyless.stdout)["diagnostics"]
    with pytest.raises(EncryptionError) as caught:
        decrypt_password(str(encrypted))
    assert "edited outside sops" in caught.value.message and says in caught.value.message
    assert "git checkout" in (caught.value.hint or "")
    document = _keyed(run_cli, expect=1)
    (entry,) = document["decryption"]
    assert entry["status"] == "failed" and "edited outside sops" in entry["message"]


def test_value_pasted_from_another_file_is_caught(repo, encrypted, run_cli) -> None:
    other = repo.write("production", "other")
    set_password(str(other), Secret("another-password"))
    pasted = re.search(r"^password: (ENC\[.*\])$", other.read_text(), re.M)[1]
    text = re.sub(
        r"^password: ENC\[.*\]$", f"password: {pasted}", encrypted.read_text(), flags=re.M
    )
    encrypted.write_text(text)
    with pytest.raises(EncryptionError, match="edited outside sops"):
        decrypt_password(str(encrypted))
    document = _keyed(run_cli, expect=1)
    statuses = {e["path"]: e["status"] for e in document["decryption"]}
    assert statuses == {
        "configs/production/main.yaml": "failed",
        "configs/production/other.yaml": "verified",
    }


def test_hand_typed_plaintext_is_caught_without_and_with_the_key(encrypted, run_cli) -> None:
    text = re.sub(
        r"^password: ENC\[.*\]$", f"password: {CANARY}", encrypted.read_text(), flags=re.M
    )
    encrypted.write_text(text)
    result = run_cli("validate", expect=1)
    assert "CRED002" in result.stdout and "plain text" in result.stdout
    assert_no_canary(result.stdout, result.stderr)
    with pytest.raises(EncryptionError, match="plain text") as caught:
        decrypt_password(str(encrypted))
    assert_no_canary(str(caught.value), caught.value.hint or "")


def test_readable_fields_may_be_edited_by_hand(encrypted, run_cli) -> None:
    """mac_only_encrypted: the MAC covers only the encrypted values, so reviewers can edit the
    rest; a change of the server the password is sealed to still decrypts, but the check with
    the key reports that the seal no longer matches (test and deploy refuse to send it)."""
    encrypted.write_text(
        encrypted.read_text().replace(
            "helo_hostname: crm.example.com", "helo_hostname: crm2.example.com\n# in review"
        )
    )
    assert decrypt_password(str(encrypted)).reveal() == CANARY
    document = _keyed(run_cli, expect=0)
    assert [e["status"] for e in document["decryption"]] == ["verified"]
    encrypted.write_text(
        encrypted.read_text()
        .replace("port: 587", "port: 465\n# changed in review")
        .replace("tls: STARTTLS", "tls: SSL/TLS")
    )
    assert decrypt_password(str(encrypted)).reveal() == CANARY
    document = _keyed(run_cli, expect=1)
    (entry,) = document["decryption"]
    assert entry["status"] == "failed" and "the port" in entry["message"]
    assert "smtpops secrets reseal production/main" in entry["hint"]


def test_deleted_sops_section_is_caught_without_a_key(encrypted, run_cli) -> None:
    text = encrypted.read_text()
    encrypted.write_text(text[: text.index("sops:")])
    result = run_cli("validate", expect=1)
    assert "CRED004" in result.stdout
    with pytest.raises(EncryptionError, match="sops section is missing"):
        decrypt_password(str(encrypted))


def test_damaged_enc_value_is_caught_without_a_key(encrypted, run_cli) -> None:
    text = re.sub(r",tag:[^,]*,", ",tag:c2hvcnQ=,", encrypted.read_text(), count=1)
    encrypted.write_text(text)
    result = run_cli("validate", expect=1)
    assert "CRED003" in result.stdout and "'tag' part is 5 bytes" in result.stdout
