"""Units where the logic is dense: text splicing, the sops binary, the ENC grammar."""

from __future__ import annotations

import subprocess

import pytest

from smtpops.encryption import decrypt_password, set_password, sops_binary, splice
from smtpops.encryption.sops_format import parse_enc, valid_recipient
from smtpops.errors import InputError
from smtpops.secret import Secret
from tests.conftest import CANARY

NEW = splice.Encrypted(value="ENC[new]", block="sops:\n  version: x\n")


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (
            "a: 1\npassword: old  # c\nb: 2\n",
            "a: 1\npassword: ENC[new]  # c\nb: 2\nsops:\n  version: x\n",
        ),
        (
            "a: 1\npassword: |\n  old\nb: 2\n",
            "a: 1\npassword: ENC[new]\nb: 2\nsops:\n  version: x\n",
        ),
        ("a: 1\npassword: 'o''ld'", "a: 1\npassword: ENC[new]\nsops:\n  version: x\n"),
        (
            'a: 1\nsops:\n  old: 1\npassword: "x"\n',
            "a: 1\nsops:\n  version: x\npassword: ENC[new]\n",
        ),
        (
            "a: 1\npassword: ENC[old]\nsops:\n    version: old\n    mac: y\n",
            "a: 1\npassword: ENC[new]\nsops:\n  version: x\n",
        ),
    ],
)
def test_splice_changes_only_the_password_value_and_the_sops_block(before: str, after: str) -> None:
    assert splice.splice(splice.layout(before, "f"), NEW) == after


def test_a_missing_password_is_added_before_the_sops_block() -> None:
    lay = splice.with_password_field(splice.layout("a: 1\nsops:\n  v: 1\n", "f"), "f")
    assert splice.splice(lay, NEW) == "a: 1\npassword: ENC[new]\nsops:\n  version: x\n"
    lay = splice.with_password_field(splice.layout("a: 1", "f"), "f")
    assert splice.splice(lay, NEW) == "a: 1\npassword: ENC[new]\nsops:\n  version: x\n"


def test_plaintext_document_drops_the_old_sops_block() -> None:
    lay = splice.layout("a: 1  # c\npassword: ENC[old]\nsops:\n  v: 1\n", "f")
    assert splice.plaintext_document(lay, '"pw"') == 'a: 1  # c\npassword: "pw"\n'


@pytest.mark.parametrize("text", ["- a\n- b\n", "{a: 1, password: x}\n", "a: 1\na: 2\n", "a: [\n"])
def test_files_that_are_not_one_block_mapping_are_refused(text: str) -> None:
    with pytest.raises(InputError):
        splice.layout(text, "f")


def test_flow_style_config_is_refused_without_touching_it(repo) -> None:
    path = repo.write("production", "main", "{name: main, host: smtp.example.com}\n")
    with pytest.raises(InputError, match="field: value"):
        set_password(str(path), Secret(CANARY))
    assert path.read_text() == "{name: main, host: smtp.example.com}\n"


def test_the_bundled_sops_is_3_11(monkeypatch) -> None:
    monkeypatch.delenv("SMTPOPS_SOPS", raising=False)
    out = subprocess.run(
        [sops_binary(), "--version", "--disable-version-check"],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    ).stdout
    assert out.startswith("sops 3.11.")


def test_smtpops_sops_overrides_the_bundled_binary(repo, sops_shim, monkeypatch) -> None:
    shim, log = sops_shim
    monkeypatch.setenv("SMTPOPS_SOPS", str(shim))
    assert sops_binary() == str(shim)
    path = repo.write("production", "main")
    set_password(str(path), Secret(CANARY))
    repo.use_key(monkeypatch, "production")
    assert decrypt_password(str(path)).reveal() == CANARY
    assert log.read_text().count("\n") == 2


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("ENC[AES256_GCM,data:abc,iv:xyz]", "not of the form"),
        ("ENC[AES256_GCM,data:@@@@,iv:AAAA,tag:AAAA,type:str]", "not of the form"),
        (
            "ENC[AES256_GCM,data:YQ==,iv:AAAA,tag:AAAAAAAAAAAAAAAAAAAAAA==,type:str]",
            "'iv' part is 3 bytes",
        ),
        ("ENC[AES256_GCM,data:YQ=,iv:AAAA,tag:AAAA,type:str]", "'data' part is not valid base64"),
    ],
)
def test_damaged_enc_values_are_explained(value: str, problem: str) -> None:
    result = parse_enc(value)
    assert isinstance(result, str) and problem in result


def test_recipient_checksum_catches_a_typo(make_key) -> None:
    good = make_key("x").recipient
    typo = good[:-1] + ("q" if good[-1] != "q" else "p")
    assert valid_recipient(good) and not valid_recipient(typo)
