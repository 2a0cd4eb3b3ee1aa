"""Keys per environment, and re-encrypting a whole tree after a key was added or removed."""

from __future__ import annotations

import json
import os
import re
import stat
from pathlib import Path

import pytest
import yaml
from secrets_util import outside_encryption

from smtpops.encryption import decrypt_password, set_password
from smtpops.encryption.sops_config import ENCRYPTED_REGEX
from smtpops.errors import EncryptionError
from smtpops.secret import Secret
from tests.conftest import CANARY


def _rules(run_cli, *args: str) -> dict[str, list[str]]:
    result = run_cli("validate", "--format", "json", *args)
    found: dict[str, list[str]] = {}
    for d in json.loads(result.stdout)["diagnostics"]:
        found.setdefault(d["rule"], []).append(d["path"])
    return found


def test_keys_init_makes_a_private_key_and_a_rule(repo, run_cli, tmp_path_factory) -> None:
    key_file = tmp_path_factory.mktemp("ci") / "ci-development.key"
    result = run_cli("keys", "init", "--env", "development", "--key-file", str(key_file), expect=0)
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    secret_line = next(
        x for x in key_file.read_text().splitlines() if x.startswith("AGE-SECRET-KEY-")
    )
    assert secret_line not in result.output
    rules = yaml.safe_load((repo.root / ".sops.yaml").read_text())["creation_rules"]
    dev = next(r for r in rules if r["path_regex"] == "^configs/development/")
    assert dev["encrypted_regex"] == ENCRYPTED_REGEX and dev["mac_only_encrypted"] is True
    assert all(
        re.search(dev["encrypted_regex"], k)
        for k in ("password", "password_binding", "client_secret")
    )
    assert not re.search(dev["encrypted_regex"], "client_id")
    assert len(dev["age"]) == 1 and dev["age"][0] in result.stdout
    assert yaml.safe_load((repo.root / ".sops.yaml").read_text())["stores"]["yaml"]["indent"] == 2
    listed = run_cli("keys", "list", "--env", "development", expect=0).stdout
    assert dev["age"][0] in listed


def test_keys_init_defaults_to_sops_key_location(repo, run_cli) -> None:
    run_cli("keys", "init", "--env", "development", expect=0)
    default = os.path.join(os.environ["XDG_CONFIG_HOME"], "sops", "age", "keys.txt")
    assert os.path.isfile(default)
    path = repo.write("development", "main")
    set_password(str(path), Secret(CANARY))
    assert decrypt_password(str(path)).reveal() == CANARY  # sops found the key by itself
    assert "(yours)" in run_cli("keys", "list", expect=0).stdout


def test_keys_init_refuses_a_key_file_inside_the_repository(repo, run_cli) -> None:
    result = run_cli("keys", "init", "--env", "development", "--key-file", "keys.txt", expect=2)
    assert "inside the repository" in result.stderr
    assert not (repo.root / "keys.txt").exists()


def test_ci_key_through_sops_age_key(repo, monkeypatch) -> None:
    path = repo.write("production", "main")
    set_password(str(path), Secret(CANARY))
    monkeypatch.delenv("SOPS_AGE_KEY_FILE", raising=False)
    monkeypatch.setenv("SOPS_AGE_KEY", repo.keys["production"].identity)
    assert decrypt_password(str(path)).reveal() == CANARY


@pytest.mark.parametrize("bad", ["age1short", "ssh-ed25519 AAAA", ""])
def test_keys_add_refuses_what_is_not_a_public_key(repo, run_cli, bad: str) -> None:
    before = (repo.root / ".sops.yaml").read_text()
    run_cli("keys", "add", "--env", "production", bad, expect=2)
    assert (repo.root / ".sops.yaml").read_text() == before


def test_add_then_remove_a_key_over_a_tree(repo, run_cli, monkeypatch, make_key) -> None:
    names = ("main", "backup", "bulk")
    prod = [repo.write("production", n) for n in names]
    stag = repo.write("staging", "main")
    for path in (*prod, stag):
        set_password(str(path), Secret(f"{CANARY}-{path.stem}"))
    staging_before = stag.read_text()
    assert _rules(run_cli) == {}

    newcomer = make_key("newcomer")
    run_cli("keys", "add", "--env", "production", newcomer.recipient, expect=0)
    assert sorted(_rules(run_cli)["CRED008"]) == sorted(repo.rel(p) for p in prod)
    monkeypatch.setenv("SOPS_AGE_KEY_FILE", newcomer.key_file)
    with pytest.raises(EncryptionError, match="no key for this environment"):
        decrypt_password(str(prod[0]))

    repo.use_key(monkeypatch, "production")
    before = {p: p.read_text() for p in prod}
    result = run_cli("secrets", "updatekeys", "--env", "production", expect=0)
    assert result.stdout.count(": updated") == 3 and "3 file(s) re-encrypted" in result.stdout
    for path in prod:  # updatekeys keeps the data key: the password line does not change
        after = path.read_text()
        assert after.split("sops:")[0] == before[path].split("sops:")[0]
    assert stag.read_text() == staging_before
    assert _rules(run_cli) == {}
    monkeypatch.setenv("SOPS_AGE_KEY_FILE", newcomer.key_file)
    assert [decrypt_password(str(p)).reveal() for p in prod] == [f"{CANARY}-{n}" for n in names]
    again = run_cli("secrets", "updatekeys", "--env", "production", expect=0)
    assert "3 already up to date" in again.stdout

    leaver = repo.keys["production"].recipient
    run_cli("keys", "remove", "--env", "production", leaver, expect=0)
    assert sorted(_rules(run_cli)["CRED007"]) == sorted(repo.rel(p) for p in prod)
    run_cli("validate", expect=1)
    before = {p: p.read_text() for p in prod}
    result = run_cli("secrets", "rotate", "--env", "production", expect=0)
    assert result.stdout.count(": rotated") == 3
    for path in prod:
        after = path.read_text()
        assert outside_encryption(after) == outside_encryption(before[path])
        assert after.split("sops:")[0] != before[path].split("sops:")[0], "new data key"
        assert leaver not in after
        assert decrypt_password(str(path)).reveal() == f"{CANARY}-{path.stem}"
    repo.use_key(monkeypatch, "production")  # the removed person's key
    for path in prod:
        with pytest.raises(EncryptionError):
            decrypt_password(str(path))
    assert stag.read_text() == staging_before
    assert _rules(run_cli) == {}


def test_rotate_without_a_key_fails_per_file_and_changes_nothing(
    repo, run_cli, monkeypatch
) -> None:
    paths = [repo.write("production", n) for n in ("a", "b")]
    for path in paths:
        set_password(str(path), Secret(CANARY))
    before = {p: p.read_bytes() for p in paths}
    repo.use_key(monkeypatch, "staging")
    result = run_cli("secrets", "rotate", "--env", "production", expect=1)
    assert result.stdout.count("no key for this environment") == 2
    assert "0 file(s) re-encrypted, 2 failed" in result.stdout
    assert {p: p.read_bytes() for p in paths} == before


def test_unknown_environment_is_a_usage_error(repo, run_cli) -> None:
    result = run_cli("secrets", "updatekeys", "--env", "nowhere", expect=2)
    assert "configs/nowhere/" in result.stderr


def test_keys_init_twice_refuses_a_second_key_for_the_same_person(repo, run_cli) -> None:
    run_cli("keys", "init", "--env", "development", expect=0)
    default = Path(os.environ["XDG_CONFIG_HOME"]) / "sops" / "age" / "keys.txt"
    before = default.read_text()
    result = run_cli("keys", "init", "--env", "development", expect=2)
    assert "already reads development's passwords; nothing was changed" in result.stderr
    assert default.read_text() == before  # no second identity appended
    rules = yaml.safe_load((repo.root / ".sops.yaml").read_text())["creation_rules"]
    dev = next(r for r in rules if r["path_regex"] == "^configs/development/")
    assert len(dev["age"]) == 1
    # another environment, or a CI key in a file of its own, is still a new key
    run_cli("keys", "init", "--env", "qa", expect=0)
    ci = Path(os.environ["HOME"]) / "ci-development.key"
    run_cli("keys", "init", "--env", "development", "--key-file", str(ci), expect=0)


def test_keys_init_reuses_an_existing_identity(repo, run_cli, tmp_path_factory) -> None:
    import pyrage

    identity = pyrage.x25519.Identity.generate()
    mine = tmp_path_factory.mktemp("age") / "key.txt"
    mine.write_text(f"# my key\n{identity}\n")
    result = run_cli("keys", "init", "--env", "development", "--identity", str(mine), expect=0)
    public = str(identity.to_public())
    assert public in result.stdout and "Private key saved" not in result.stdout
    assert str(identity) not in result.output
    assert not (Path(os.environ["XDG_CONFIG_HOME"]) / "sops" / "age" / "keys.txt").exists()
    rules = yaml.safe_load((repo.root / ".sops.yaml").read_text())["creation_rules"]
    assert next(r for r in rules if r["path_regex"] == "^configs/development/")["age"] == [public]
    again = run_cli("keys", "init", "--env", "development", "--identity", str(mine), expect=2)
    assert "already reads" in again.stderr
    run_cli("keys", "init", "--env", "qa", "--identity", str(mine), expect=0)
    empty = mine.parent / "empty.txt"
    empty.write_text("# nothing here\n")
    bad = run_cli("keys", "init", "--env", "test", "--identity", str(empty), expect=2)
    assert "exactly one" in bad.stderr
