"""Checks that need no key: recipients against .sops.yaml, credentials elsewhere, private keys
and decrypted copies in the repository, and the sops format itself (on sops' own files)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from smtpops.encryption import set_password
from smtpops.encryption.sops_config import ENCRYPTED_REGEX
from smtpops.encryption.sops_format import parse_enc, read_metadata, valid_recipient
from smtpops.secret import Secret
from tests.conftest import CANARY, SHARED, assert_no_canary

VECTORS = SHARED / "vectors" / "sops"
needs_vectors = pytest.mark.skipif(
    not VECTORS.is_dir(), reason=f"sops test vectors not available at {VECTORS} (optional)"
)


def _diagnostics(run_cli, *args: str, expect: int | None = None) -> list[dict]:
    result = run_cli("validate", "--format", "json", *args, expect=expect)
    assert_no_canary(result.stdout, result.stderr)
    return json.loads(result.stdout)["diagnostics"]


def test_staging_file_copied_into_production_is_caught_without_any_key(
    repo, run_cli, monkeypatch
) -> None:
    staging = repo.write("staging", "main")
    set_password(str(staging), Secret(CANARY))
    copy = repo.root / "configs" / "production" / "main.yaml"
    copy.parent.mkdir(exist_ok=True)
    copy.write_text(staging.read_text())
    repo.use_key(monkeypatch, None)
    found = [d for d in _diagnostics(run_cli, expect=1) if d["rule"] == "CRED006"]
    assert len(found) == 1 and found[0]["path"] == "configs/production/main.yaml"
    assert "wrong environment" in found[0]["message"] and "staging" in found[0]["message"]
    assert "set-password configs/production/main.yaml" in found[0]["hint"]
    result = run_cli("secrets", "check", "configs/production", expect=1)
    assert "CRED006" in result.stdout


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        (
            "description: 'relay smtp://alerts:Hunter22@relay.example.com'",
            "web address with a password",
        ),
        ("description: 'SMTP pwd=Summer-2024!'", "password written as"),
        ("# old password: Winter-2023!", "password written as"),
        ("custom_headers: 'Authorization: Bearer abcdefghijklmnop1234'", "Authorization"),
        ("custom_headers: 'X-Api-Key: 0123456789abcdef'", "carries a credential"),
        ("smtp_password: Summer-2024!", "holds a credential"),
        (
            "description: 'SG.abcdefghijklmnopqrstuv.abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG'",
            "SendGrid",
        ),
    ],
)
def test_credential_in_another_place_is_caught(repo, run_cli, line: str, kind: str) -> None:
    path = repo.write("staging", "main")
    set_password(str(path), Secret(CANARY))
    old = "description: Outage notices  # reviewed by IT\n"
    path.write_text(
        path.read_text().replace(old, f"{line}\n" if line.startswith("desc") else old + f"{line}\n")
    )
    found = [d for d in _diagnostics(run_cli) if d["rule"] == "CRED010"]
    assert found and any(kind in d["message"] for d in found), found
    secret_part = line.split(":", 1)[1].strip().strip("'")[-8:]
    assert not any(secret_part in d["message"] for d in found), "the value itself is never shown"


def test_ordinary_wording_is_not_a_credential(repo, run_cli) -> None:
    path = repo.write("staging", "main")
    set_password(str(path), Secret(CANARY))
    path.write_text(
        path.read_text().replace(
            "description: Outage notices  # reviewed by IT",
            "description: 'Password: stored encrypted; token: none'  # see https://example.com/docs",
        )
    )
    assert not [d for d in _diagnostics(run_cli) if d["rule"].startswith("CRED")]


def test_private_keys_and_decrypted_copies_anywhere_in_the_repository(repo, run_cli) -> None:
    path = repo.write("staging", "main")
    set_password(str(path), Secret(CANARY))
    identity = repo.keys["staging"].identity
    (repo.root / "docs").mkdir()
    (repo.root / "docs" / "notes.md").write_text(f"# notes\n\nkey: {identity}\n")
    (repo.root / "keys.txt").write_text(identity + "\n")
    (repo.root / "configs" / "staging" / "main.dec.yaml").write_text(
        f"name: main\nhost: smtp.example.com\npassword: {CANARY}\n"
    )
    validate = [d for d in _diagnostics(run_cli) if d["rule"] == "CRED012"]
    assert {d["path"] for d in validate} >= {"keys.txt"}
    result = run_cli("secrets", "check", "--format", "json", expect=1)
    assert_no_canary(result.output)
    assert identity not in result.output
    found = {
        (d["path"], d["line"])
        for d in json.loads(result.stdout)["diagnostics"]
        if d["rule"] == "CRED012"
    }
    assert ("docs/notes.md", 3) in found and ("keys.txt", 1) in found
    assert any(p == "configs/staging/main.dec.yaml" for p, _ in found)


def test_gitignored_files_are_not_scanned_by_secrets_check(repo, run_cli) -> None:
    (repo.root / ".gitignore").write_text("local/\n")
    (repo.root / "local").mkdir()
    (repo.root / "local" / "key.txt").write_text(repo.keys["staging"].identity)
    result = run_cli("secrets", "check", "--format", "json", expect=0)
    assert not json.loads(result.stdout)["diagnostics"]


def test_a_rule_that_would_encrypt_more_than_the_password_does_not(repo) -> None:
    """smtpops names what sops encrypts (the password and its binding), whatever the rule
    says: a rule without encrypted_regex (or one written before bindings) still leaves every
    other field readable for review."""
    sops_yaml = repo.root / ".sops.yaml"
    data = yaml.safe_load(sops_yaml.read_text())
    for rule in data["creation_rules"]:
        rule.pop("encrypted_regex")
    sops_yaml.write_text(yaml.safe_dump(data))
    path = repo.write("production", "main")
    set_password(str(path), Secret(CANARY))
    written = yaml.safe_load(path.read_text())
    encrypted = sorted(k for k, v in written.items() if str(v).startswith("ENC["))
    assert encrypted == ["password", "password_binding"]
    assert written["sops"]["encrypted_regex"] == ENCRYPTED_REGEX


def _vector_files(pattern: str) -> list[Path]:
    return sorted(VECTORS.glob(pattern)) if VECTORS.is_dir() else []


@needs_vectors
def test_sops_own_files_are_well_formed() -> None:
    files = _vector_files("*.enc.yaml")
    assert files
    for path in files:
        for document in yaml.safe_load_all(path.read_text()):
            meta = read_metadata(document["sops"])
            assert not meta.problems, (path.name, meta.problems)
            assert meta.recipients or meta.other_key_sources, path.name
            assert all(valid_recipient(r) for r in meta.recipients)


@needs_vectors
def test_sops_own_values_parse_and_damage_is_seen() -> None:
    document = yaml.safe_load((VECTORS / "gen311-smtp.mac_only_encrypted.enc.yaml").read_text())
    meta = read_metadata(document["sops"])
    assert meta.mac_only_encrypted and meta.encrypted_regex
    values = [v for v in _strings(document) if isinstance(v, str) and v.startswith("ENC[")]
    assert values and all(not isinstance(parse_enc(v), str) for v in values)
    broken = dict(document["sops"], mac=document["sops"]["mac"].replace(",iv:", "xx,iv:"))
    assert any(field == "mac" for field, _ in read_metadata(broken).problems)
    no_keys = {k: v for k, v in document["sops"].items() if k != "age"}
    assert any("no key" in reason for _, reason in read_metadata(no_keys).problems)


def _strings(node: object) -> list[object]:
    if isinstance(node, dict):
        return [s for v in node.values() for s in _strings(v)]
    if isinstance(node, list):
        return [s for v in node for s in _strings(v)]
    return [node]


PROJECT = Path(__file__).resolve().parents[2]


def test_bundled_configs_match_the_bundled_sops_yaml(run_cli) -> None:
    """The example configs are real sops files for the recipients .sops.yaml lists; keyless,
    the whole project (every file git sees) passes the secrets check."""
    result = run_cli("secrets", "check", "--format", "json", str(PROJECT / "configs"), expect=0)
    document = json.loads(result.stdout)
    assert len(document["files"]) >= 3 and not document["diagnostics"]  # sealed, too
    assert {e["status"] for e in document["decryption"]} == {"no-key"}


def test_keys_add_keeps_an_existing_sops_yaml_layout(repo, run_cli, make_key) -> None:
    lead_style = (PROJECT / ".sops.yaml").read_text()
    (repo.root / ".sops.yaml").write_text(lead_style)
    newcomer = make_key("newcomer")
    run_cli("keys", "add", "--env", "staging", newcomer.recipient, expect=0)
    text = (repo.root / ".sops.yaml").read_text()
    header = [line for line in lead_style.splitlines() if line.startswith("#")]
    assert text.splitlines()[: len(header)] == header
    before = {r["path_regex"]: r for r in yaml.safe_load(lead_style)["creation_rules"]}
    after = {r["path_regex"]: r for r in yaml.safe_load(text)["creation_rules"]}
    assert before.keys() == after.keys()
    staging = next(k for k in after if "staging" in k)
    assert after[staging]["age"][-1] == newcomer.recipient
    assert all(after[k] == before[k] for k in after if k != staging)
