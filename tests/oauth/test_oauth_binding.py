"""An OAuth2 config's secrets go only where they were sealed to: `new --auth oauth` and
`secrets set-oauth` seal, next to the oauth block, the server fields and the oauth fields that
decide where a token is obtained (flow, tenant, client_id, token_url, authority, scope, the
token endpoint's CA). Change one without a key holder re-sealing, and test, deploy, token,
render and exec refuse before any connection (a changed token_url would post the client
secret to another server), naming the field; `secrets reseal` seals again; the keyless
checks, `validate --base` and `diff` show it; the real sops still decrypts and edits the file.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from smtpops.encryption import runner
from smtpops.probe.sandbox import OAUTH_CLIENT_ID, OAUTH_SCOPE, OAUTH_TENANT, Sandbox
from tests.gitops.conftest import git
from tests.oauth.conftest import CLIENT_SECRET
from tests.oauth.test_end_to_end import _new, _new_app_only, workspace  # noqa: F401 - fixture
from tests.secrets.test_secrets_oauth import _outside

MAIN = "configs/development/o365.yaml"


def _sops(root: Path, *args: str, env: dict[str, str] | None = None, stdin: str = "") -> str:
    import os

    out = subprocess.run(
        [runner.sops_binary(), *args],
        input=stdin,
        cwd=root,
        env={**os.environ, "SOPS_DISABLE_VERSION_CHECK": "1", **(env or {})},
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout


def _commit(root: Path, message: str) -> str:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)
    return git(root, "rev-parse", "HEAD").strip()


def _edit(root: Path, old: str, new: str, rel: str = MAIN) -> None:
    path = root / rel
    text = path.read_text()
    assert old in text, (old, text)
    path.write_text(text.replace(old, new))


def _no_secret(*outputs: Any) -> None:
    for output in outputs:
        text = output if isinstance(output, str) else output.output
        assert CLIENT_SECRET not in text


@pytest.fixture
def sealed(workspace, make_sandbox, run_cli) -> tuple[Path, Sandbox]:  # noqa: F811
    """A Microsoft app-only config made by `new --auth oauth` against the sandbox, committed."""
    root, _ = workspace
    box = make_sandbox(oauth=True)
    box.issuer.clients[OAUTH_CLIENT_ID].secret = CLIENT_SECRET
    (root / "ca.pem").write_bytes(Path(box.ca_file).read_bytes())
    (root / ".gitignore").write_text(".smtpops/\n")
    run_cli("keys", "init", "--env", "development", expect=0)
    _new_app_only(run_cli, box)
    _commit(root, "Add o365")
    return root, box


def test_new_seals_the_oauth_fields_and_the_real_sops_reads_them(sealed, run_cli) -> None:
    root, box = sealed
    text = (root / MAIN).read_text()
    assert "password_binding: ENC[AES256_GCM," in text and CLIENT_SECRET not in text
    plain = yaml.safe_load(_sops(root, "decrypt", MAIN))  # the real sops, with the key
    assert plain["oauth"]["client_secret"] == CLIENT_SECRET
    seal = json.loads(plain["password_binding"])
    assert seal["host"] == "localhost" and seal["port"] == box.starttls_port
    assert seal["username"] == box.username and seal["tls"] == "STARTTLS"
    assert seal["oauth.flow"] == "microsoft-app-only"
    assert seal["oauth.tenant"] == OAUTH_TENANT and seal["oauth.client_id"] == OAUTH_CLIENT_ID
    assert seal["oauth.authority"] == box.issuer.authority(OAUTH_TENANT)
    assert seal["oauth.scope"] == OAUTH_SCOPE and seal["oauth.ca_file"] == "ca.pem"
    assert len(seal["oauth.ca_sha256"]) == 64
    found = json.loads(run_cli("validate", "--format", "json", expect=0).stdout)["diagnostics"]
    assert not [d for d in found if d["rule"].startswith("CRED")]
    run_cli("test", "development/o365", expect=0)


AUTHORITY = "{authority}"


@pytest.mark.parametrize(
    ("field", "old", "new", "says"),
    [
        ("authority", AUTHORITY, "https://login.example.test/x", "the authority (oauth.authority)"),
        ("tenant", f"tenant: {OAUTH_TENANT}", "tenant: evil.onmicrosoft.com", "oauth.tenant"),
        (
            "client_id",
            f"client_id: {OAUTH_CLIENT_ID}",
            "client_id: 99999999-0000-0000-0000-000000000000",
            "oauth.client_id",
        ),
        ("scope", f"scope: {OAUTH_SCOPE}", "scope: https://graph.example.test/.default", "scope"),
        ("host", "host: localhost", "host: 127.0.0.1", "the server (host)"),
    ],
)
def test_a_changed_oauth_or_server_field_is_refused_before_any_token_request(
    sealed, run_cli, connects, field: str, old: str, new: str, says: str
) -> None:
    root, box = sealed
    old = old.replace(AUTHORITY, box.issuer.authority(OAUTH_TENANT))
    _edit(root, old, new)
    _commit(root, f"change {field}")
    asked = list(box.issuer.requests)
    connects.clear()
    outputs = []
    for args in (
        ("test", "development/o365"),
        ("deploy", "development/o365"),
        ("token", "development/o365"),
    ):
        result = run_cli(*args)
        outputs.append(result)
        assert result.exit_code == 1, (args, repr(result))
        assert says in result.stderr, (args, result.stderr)
        assert "smtpops secrets reseal development/o365" in result.stderr
        assert "OAuth2 secrets" in result.stderr
    assert box.issuer.requests == asked  # no token endpoint was asked: the secret stayed
    assert connects == []  # and nothing was connected to at all
    _no_secret(*outputs)


def test_a_changed_token_url_never_receives_the_client_secret(
    workspace,  # noqa: F811 - the fixture
    make_sandbox,
    run_cli,
    connects,
) -> None:
    """The generic flow posts the client secret to token_url: a pull request pointing it at
    another server must not get the secret (a second local endpoint stands for it)."""
    root, _ = workspace
    box = make_sandbox(oauth=True)
    thief = make_sandbox(oauth=True)
    box.issuer.clients[OAUTH_CLIENT_ID].secret = CLIENT_SECRET
    (root / "ca.pem").write_bytes(Path(box.ca_file).read_bytes())
    run_cli("keys", "init", "--env", "development", expect=0)
    oauth = {
        "flow": "generic",
        "client_id": OAUTH_CLIENT_ID,
        "scope": OAUTH_SCOPE,
        "token_url": box.issuer.token_url(OAUTH_TENANT),
        "ca_file": "ca.pem",
    }
    _new(run_cli, box, "o365", oauth, CLIENT_SECRET + "\n")
    _commit(root, "Add o365")
    run_cli("test", "development/o365", expect=0)
    _edit(root, box.issuer.token_url(OAUTH_TENANT), thief.issuer.token_url(OAUTH_TENANT))
    (root / "ca.pem").write_bytes(Path(thief.ca_file).read_bytes())
    _commit(root, "point token_url elsewhere")
    connects.clear()
    result = run_cli("test", "development/o365")
    assert result.exit_code == 1, repr(result)
    assert "the token endpoint (oauth.token_url)" in result.stderr
    assert "the content of the token endpoint's CA file" in result.stderr
    assert thief.issuer.requests == [] and connects == []
    _no_secret(result)


def test_render_and_exec_name_the_changed_field_of_an_active_oauth_config(sealed, run_cli) -> None:
    root, box = sealed
    run_cli("deploy", "development/o365", expect=0)
    for args in (
        ("render", "development", "--format", "env"),
        ("exec", "development", "--", "true"),
    ):
        unchanged = run_cli(*args)  # sealed as it is: a fresh token is handed over
        assert unchanged.exit_code == 0, repr(unchanged)
    _edit(root, box.issuer.authority(OAUTH_TENANT), "https://login.example.test/x")
    for args in (
        ("render", "development", "--format", "env"),
        ("exec", "development", "--", "true"),
    ):
        refused = run_cli(*args)
        assert refused.exit_code == 1, repr(refused)
        assert "the authority (oauth.authority)" in refused.stderr
        assert "SMTP_PASSWORD" not in refused.stdout
        _no_secret(refused)


def test_reseal_shows_the_oauth_change_and_then_deploy_works(sealed, run_cli) -> None:
    root, box = sealed
    authority = box.issuer.authority(OAUTH_TENANT)
    _edit(root, authority, authority.replace("localhost", "127.0.0.1"))
    before = (root / MAIN).read_text()
    asked = run_cli("secrets", "reseal", "development/o365")
    assert asked.exit_code == 2 and "--yes" in asked.stderr, repr(asked)
    result = run_cli("secrets", "reseal", "development/o365", "--yes", expect=0)
    assert "the authority (oauth.authority): sealed for" in result.stdout
    assert (
        "oauth.token_url: (not set)" in result.stdout and "OAuth2 secrets sealed" in result.stdout
    )
    diff = git(root, "diff", "--", MAIN)
    assert _outside((root / MAIN).read_text()) == _outside(before)  # only oauth, seal, sops
    _commit(root, "Re-seal for the new authority")
    again = run_cli("secrets", "reseal", "development/o365", "--yes", expect=0)
    assert "already sealed" in again.stdout
    deployed = run_cli("deploy", "development/o365", expect=0)
    _no_secret(asked, result, again, deployed, (root / MAIN).read_text(), diff)


def test_the_real_sops_edits_a_sealed_oauth_file_and_it_still_works(sealed, run_cli) -> None:
    root, _ = sealed
    _sops(root, "set", MAIN, '["description"]', '"edited with sops set"')
    editor = root.parent / "editor.sh"
    editor.write_text("#!/bin/sh\nsed -i 's/^wait_timeout: 30$/wait_timeout: 31/' \"$1\"\n")
    editor.chmod(0o755)
    _sops(root, "edit", MAIN, env={"EDITOR": str(editor)})
    text = (root / MAIN).read_text()
    assert "edited with sops set" in text and "wait_timeout: 31" in text
    _commit(root, "edited with sops")
    run_cli("deploy", "development/o365", expect=0)  # description and timeouts are not bound


def test_keyless_review_flags_an_oauth_change_without_a_reseal(sealed, run_cli) -> None:
    root, _ = sealed
    base = git(root, "rev-parse", "HEAD").strip()
    _edit(root, f"client_id: {OAUTH_CLIENT_ID}", "client_id: 99999999-0000-0000-0000-000000000000")
    _commit(root, "another app")
    result = run_cli(
        "validate", "--base", base, "--format", "json", env={"SOPS_AGE_KEY_FILE": "/nonexistent"}
    )
    found = [d for d in json.loads(result.stdout)["diagnostics"] if d["rule"] == "CRED017"]
    assert result.exit_code == 1 and len(found) == 1, repr(result)
    assert found[0]["field"] == "oauth.client_id" and found[0]["severity"] == "error"
    assert "OAuth2 secrets were not re-sealed" in found[0]["message"]
    text = run_cli("diff", base, "HEAD", expect=0).stdout
    assert "oauth.client_id changed, but the OAuth2 secrets were not re-sealed" in text
    assert "smtpops secrets reseal development/o365" in text
    data = json.loads(run_cli("diff", base, "HEAD", "--format", "json", expect=0).stdout)
    (config,) = data["configs"]
    assert config["unsealed"] == ["oauth.client_id"] and config["security"] is True
    assert "OAuth2 secrets not re-sealed" in config["reasons"]
    run_cli("secrets", "reseal", "development/o365", "--yes", expect=0)
    _commit(root, "Re-seal for the new app")
    again = run_cli("validate", "--base", base, "--format", "json")
    assert "CRED017" not in {d["rule"] for d in json.loads(again.stdout)["diagnostics"]}
    assert "not re-sealed" not in run_cli("diff", base, "HEAD", expect=0).stdout


def test_a_removed_oauth_seal_is_caught(sealed, run_cli) -> None:
    root, _ = sealed
    base = git(root, "rev-parse", "HEAD").strip()
    path = root / MAIN
    kept = [ln for ln in path.read_text().splitlines(True) if not ln.startswith("password_b")]
    path.write_text("".join(kept))
    _commit(root, "drop the seal")
    found = json.loads(run_cli("validate", "--format", "json").stdout)["diagnostics"]
    assert "CRED015" in {d["rule"] for d in found}  # keyless: cannot tell removed from never
    result = run_cli("validate", "--base", base, "--format", "json")
    gate = [d for d in json.loads(result.stdout)["diagnostics"] if d["rule"] == "CRED017"]
    assert result.exit_code == 1 and "was removed since the base revision" in gate[0]["message"]
    text = run_cli("diff", base, "HEAD", expect=0).stdout
    assert "seal that binds the OAuth2 secrets to their server was removed" in text
    refused = run_cli("test", "development/o365")  # the MAC covered the seal
    assert refused.exit_code == 1 and "checksum" in refused.stderr, repr(refused)


def test_an_oauth_config_from_before_seals_is_refused_until_resealed(sealed, run_cli) -> None:
    """A config encrypted the way set-oauth did before seals: CRED015 warns (the same report
    as an unsealed password), test and token refuse, reseal seals it, then test works."""
    root, _ = sealed
    path = root / MAIN
    plain = yaml.safe_load(_sops(root, "decrypt", MAIN))
    plain.pop("password_binding")
    plain.pop("sops", None)
    legacy = _sops(
        root,
        "--config", str(root / ".sops.yaml"),
        "encrypt", "--filename-override", str(path),
        "--input-type", "yaml", "--output-type", "yaml", "/dev/stdin",
        stdin=yaml.safe_dump(plain, sort_keys=False),
    )  # fmt: skip
    del plain
    path.write_text(legacy)
    _commit(root, "a config from before OAuth2 seals")
    found = json.loads(run_cli("validate", "--format", "json", MAIN).stdout)["diagnostics"]
    creds = [d for d in found if d["rule"].startswith("CRED")]
    assert [d["rule"] for d in creds] == ["CRED015"] and creds[0]["severity"] == "warning"
    assert "OAuth2 secrets are not sealed" in creds[0]["message"]
    assert "smtpops secrets reseal development/o365" in creds[0]["hint"]
    for args in (("test", "development/o365"), ("token", "development/o365")):
        refused = run_cli(*args)
        assert refused.exit_code == 1 and "not sealed to a server" in refused.stderr, repr(refused)
    keyed = run_cli("secrets", "check", "--require-key", "--format", "json")
    assert keyed.exit_code == 1 and "not sealed to a server" in keyed.stdout, repr(keyed)
    resealed = run_cli("secrets", "reseal", "development/o365", "--yes", expect=0)
    assert "OAuth2 secrets are not sealed to a server yet" in resealed.stdout
    _commit(root, "seal it")
    run_cli("test", "development/o365", expect=0)
    run_cli("secrets", "check", "--require-key", expect=0)
    _no_secret(refused, keyed, resealed, path.read_text())


def test_rotate_and_promote_keep_the_oauth_seal(sealed, run_cli) -> None:
    root, _ = sealed
    result = run_cli("secrets", "rotate", "--env", "development", expect=0)
    assert ": rotated" in result.stdout
    _commit(root, "rotate")
    run_cli("test", "development/o365", expect=0)


def test_promote_keeps_the_target_oauth_secrets_and_its_seal(sealed, run_cli) -> None:
    """Promote keeps the target's credentials: for an OAuth2 config that is its own oauth block
    (encrypted with its own data key) with its seal, not the source's, which its sops block
    could not decrypt."""
    root, box = sealed
    run_cli("keys", "init", "--env", "staging", expect=0)
    _new_app_only(run_cli, box, env="staging")
    _commit(root, "Add staging/o365")
    _edit(root, "helo_hostname: crm.example.test", "helo_hostname: crm2.example.test")
    _commit(root, "development: a new HELO name")
    promoted = run_cli("promote", "o365", "--from", "development", "--to", "staging")
    assert promoted.exit_code == 0, repr(promoted)
    text = (root / "configs/staging/o365.yaml").read_text()
    assert "crm2.example.test" in text
    run_cli("test", "staging/o365", expect=0)
    _no_secret(promoted, text)


def test_every_bound_oauth_field_is_compared_and_named() -> None:
    """Unit: each oauth field of the seal, changed alone, is one named change; a field that is
    not bound (the description, a timeout) is none; a new secret is a re-seal for review."""
    from smtpops.encryption import binding

    data: dict[str, Any] = {
        "host": "smtp.office365.com",
        "port": 587,
        "tls": "STARTTLS",
        "auth_protocol": "XOAUTH2",
        "username": "alerts@example.test",
        "oauth": {
            "flow": "generic",
            "tenant": "contoso.onmicrosoft.com",
            "client_id": "app",
            "token_url": "https://login.example.test/token",
            "authority": "https://login.example.test/contoso",
            "scope": "https://outlook.office365.com/.default",
            "client_secret": "ENC[AES256_GCM,data:x,iv:y,tag:z,type:str]",
        },
    }
    sealed = binding.loads(binding.dumps(binding.record(data, None)))
    assert sealed is not None
    for name in ("flow", "tenant", "client_id", "token_url", "authority", "scope", "ca_file"):
        changed = json.loads(json.dumps(data))
        changed["oauth"][name] = "https://elsewhere.example.test/x"
        found = binding.changes(sealed, binding.record(changed, None))
        assert [c.field for c in found] == [f"oauth.{name}"], name
        assert f"(oauth.{name})" in found[0].describe()
        assert "https://elsewhere.example.test/x" in found[0].describe()
        old = {**data, "password_binding": "ENC[AES256_GCM,data:s,iv:i,tag:t,type:str]"}
        new = {**changed, "password_binding": old["password_binding"]}
        assert binding.unsealed_changes(old, new) == [f"oauth.{name}"]
        new["oauth"] = {
            **new["oauth"],
            "client_secret": "ENC[AES256_GCM,data:n,iv:i,tag:t,type:str]",
        }
        new["password_binding"] = "ENC[AES256_GCM,data:n2,iv:i,tag:t,type:str]"
        assert binding.unsealed_changes(old, new) == []  # set-oauth again: sealed anew
    calm = {**data, "description": "changed", "wait_timeout": 60}
    assert binding.changes(sealed, binding.record(calm, None)) == []
    assert binding.secret_words(data) == "the OAuth2 secrets"
    assert binding.secret_words({"password": data["oauth"]["client_secret"]}) == "the password"


def test_a_damaged_oauth_secret_is_fixed_with_set_oauth(sealed, run_cli) -> None:
    """The advice for an OAuth2 config whose ciphertext was edited names `secrets set-oauth`
    (`set-password` refuses an OAuth2 config), and the secret is never shown."""
    root, _ = sealed
    text = (root / MAIN).read_text()
    line = next(x for x in text.splitlines() if "client_secret: ENC[" in x)
    at = line.index("data:") + len("data:")
    flipped = "B" if line[at] == "A" else "A"
    _edit(root, line, line[:at] + flipped + line[at + 1 :])
    result = run_cli("token", "development/o365")
    assert result.exit_code == 1, repr(result)
    assert "an encrypted OAuth2 secret cannot be decrypted" in result.stderr
    assert f"smtpops secrets set-oauth {MAIN}" in result.stderr
    assert "set-password" not in result.output
    _no_secret(result)
