"""set-password and decryption with the real sops and real age keys, through the CLI."""

from __future__ import annotations

import pytest
from secrets_util import changed_lines, outside_encryption

from smtpops.encryption import decrypt_password, reencrypt_for, set_password
from smtpops.errors import EncryptionError
from smtpops.secret import Secret
from tests.conftest import CANARY, assert_no_canary

ODD = """\
# SMTP for outage notices (owner: IT)
name: main
description: "Outage notices: 'quoted' text"   # two spaces before the comment
host: smtp.example.com  # provider's host
port: 0587
tls: STARTTLS

# blank line above, odd indent below
custom_headers: |
    X-Company: Example Utility
username:    alerts@example.com
password: plain-until-now  # app password, rotated yearly
helo_hostname: crm.example.com"""


def test_round_trip_through_the_cli(repo, run_cli, monkeypatch) -> None:
    path = repo.write("production", "main")
    original = path.read_text()
    result = run_cli(
        "secrets", "set-password", repo.rel(path), "--password-stdin", input=CANARY + "\n", expect=0
    )
    assert_no_canary(result.stdout, result.stderr, path.read_text())
    new = path.read_text()
    assert new.startswith(original), "the lines before the password must not move"
    assert new[len(original) :].startswith("password: ENC[AES256_GCM,")
    repo.use_key(monkeypatch, "production")
    assert decrypt_password(repo.rel(path)).reveal() == CANARY
    run_cli("validate", "--format", "json", expect=0)


def test_prompt_asks_twice_and_never_echoes(repo, run_cli, monkeypatch) -> None:
    path = repo.write("staging", "main")
    result = run_cli(
        "secrets",
        "set-password",
        "staging/main",
        input=f"{CANARY}\nsomething-else\n{CANARY}\n{CANARY}\n",
        expect=0,
    )
    assert "Error: The two entered values do not match." in result.stderr
    assert_no_canary(result.stdout, result.stderr)
    repo.use_key(monkeypatch, "staging")
    assert decrypt_password(str(path)) == Secret(CANARY)


def test_everything_but_the_password_and_sops_block_stays_byte_identical(repo, monkeypatch) -> None:
    path = repo.write("production", "main", ODD)
    set_password(str(path), Secret(CANARY))
    first = path.read_text()
    assert (
        outside_encryption(first)
        == ODD.replace("password: plain-until-now", "password: <ENC>") + "\n"
    )
    set_password(str(path), Secret("second-" + CANARY))
    second = path.read_text()
    diff = changed_lines(first, second)
    assert diff and all(
        line[1:].startswith(
            ("password: ENC[", "password_binding: ENC[", "    ", "  lastmodified:", "  mac:")
        )
        for line in diff
    ), diff
    assert outside_encryption(second) == outside_encryption(first)
    repo.use_key(monkeypatch, "production")
    assert decrypt_password(str(path)).reveal() == "second-" + CANARY


@pytest.mark.parametrize(
    "password", ['quote" back\\slash', "ünïcødé ✓ 🔑", "  spaces  ", "#not-a-comment", "ENC[x]"]
)
def test_awkward_passwords_survive(repo, monkeypatch, password: str) -> None:
    path = repo.write("production", "main")
    set_password(str(path), Secret(password))
    repo.use_key(monkeypatch, "production")
    assert decrypt_password(str(path)).reveal() == password


def test_control_characters_are_refused(repo, run_cli) -> None:
    path = repo.write("production", "main")
    before = path.read_text()
    result = run_cli(
        "secrets",
        "set-password",
        repo.rel(path),
        "--password-stdin",
        input="two\nlines\n",
        expect=2,
    )
    assert "line break" in result.stderr
    assert path.read_text() == before


def test_staging_key_cannot_decrypt_production(repo, run_cli, monkeypatch) -> None:
    path = repo.write("production", "main")
    set_password(str(path), Secret(CANARY))
    repo.use_key(monkeypatch, "staging")
    with pytest.raises(EncryptionError) as caught:
        decrypt_password(str(path))
    assert "no key for this environment" in caught.value.message
    assert_no_canary(caught.value.message, caught.value.hint or "", repr(caught.value))
    result = run_cli("secrets", "check", "--require-key", expect=1)
    assert "no key for this environment" in result.stdout


def test_no_key_at_all_is_a_plain_message(repo, run_cli, monkeypatch) -> None:
    path = repo.write("production", "main")
    set_password(str(path), Secret(CANARY))
    repo.use_key(monkeypatch, None)
    with pytest.raises(EncryptionError, match="no age key found on this machine"):
        decrypt_password(str(path))
    result = run_cli("secrets", "check", expect=0)  # keyless checks pass; decryption skipped
    assert "skipped, no key" in result.stdout


def test_set_password_needs_only_public_keys(repo, monkeypatch) -> None:
    repo.use_key(monkeypatch, None)
    path = repo.write("production", "main")
    set_password(str(path), Secret(CANARY))  # no private key anywhere in reach
    repo.use_key(monkeypatch, "production")
    assert decrypt_password(str(path)).reveal() == CANARY


def test_reencrypt_for_carries_the_password_to_another_environment(repo, monkeypatch) -> None:
    staging = repo.write("staging", "main")
    production = repo.write("production", "main")
    set_password(str(staging), Secret(CANARY))
    repo.use_key(monkeypatch, "staging")
    reencrypt_for(str(staging), str(production))
    with pytest.raises(EncryptionError):
        decrypt_password(str(production))  # the staging key cannot read the production copy
    repo.use_key(monkeypatch, "production")
    assert decrypt_password(str(production)).reveal() == CANARY


def test_folder_without_a_rule_is_refused_with_the_fix(repo, run_cli) -> None:
    path = repo.write("development", "main")
    before = path.read_text()
    result = run_cli(
        "secrets", "set-password", repo.rel(path), "--password-stdin", input=CANARY, expect=1
    )
    assert "smtpops keys init --env ENV" in result.stderr
    assert path.read_text() == before


def test_missing_config_is_a_usage_error(repo, run_cli) -> None:
    result = run_cli(
        "secrets", "set-password", "production/nothing", "--password-stdin", input=CANARY, expect=2
    )
    assert "no such config" in result.stderr
