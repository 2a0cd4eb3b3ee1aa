"""`smtpops secrets set-oauth`, decryption of the oauth block, and the .sops.yaml migration by
`smtpops secrets updatekeys`, with the real sops and age keys."""

from __future__ import annotations

import json

import yaml

from smtpops.encryption import decrypt_credentials, set_password
from smtpops.encryption.sops_config import ENCRYPTED_REGEX
from smtpops.errors import EncryptionError
from smtpops.oauth.credentials import OAuthCredentials
from smtpops.secret import Secret

CANARY_SECRET = "Canary-Client-Secret-91b2~Qx"
APP_ONLY = """\
name: {name}
description: Outage notices  # reviewed by IT
host: smtp.office365.com
port: 587
tls: STARTTLS
auth_protocol: XOAUTH2
username: alerts@example.com
helo_hostname: crm.example.com
max_connections: 3
oauth:
  flow: microsoft-app-only
  tenant: contoso.onmicrosoft.com
  client_id: 11111111-2222-3333-4444-555555555555
retries: 3
"""


def _outside(text: str) -> str:
    """The file without its oauth and sops blocks and the seal (what must stay byte-identical)."""
    keep, skipping = [], False
    for line in text.splitlines(keepends=True):
        if line.startswith("password_binding:"):
            continue
        if line.startswith(("oauth:", "sops:")):
            skipping = True
            continue
        if skipping and line.startswith((" ", "\t")):
            continue
        skipping = False
        keep.append(line)
    return "".join(keep)


def test_set_oauth_encrypts_only_the_secret_and_keeps_every_other_byte(
    repo, run_cli, monkeypatch, sops_calls
) -> None:
    path = repo.write("production", "o365", APP_ONLY.format(name="o365"))
    before = path.read_text()
    result = run_cli(
        "secrets", "set-oauth", "production/o365", "--stdin", input=CANARY_SECRET + "\n"
    )
    assert result.exit_code == 0, repr(result)
    assert "client_secret encrypted for 1 key(s) of production" in result.stdout
    after = path.read_text()
    assert CANARY_SECRET not in after + result.output
    assert _outside(after) == _outside(before)
    data = yaml.safe_load(after)
    assert data["oauth"]["client_secret"].startswith("ENC[AES256_GCM,")
    assert data["password_binding"].startswith("ENC[AES256_GCM,")  # sealed next to it
    assert after.index("password_binding:") > after.index("oauth:")
    assert data["oauth"]["tenant"] == "contoso.onmicrosoft.com"  # readable for review
    assert data["sops"]["encrypted_regex"] == ENCRYPTED_REGEX
    for call in sops_calls:
        assert CANARY_SECRET not in " ".join(call.argv)
    assert run_cli("validate", "configs").exit_code == 0
    repo.use_key(monkeypatch, "production")
    found = decrypt_credentials(str(path))
    assert isinstance(found, OAuthCredentials)
    assert found.part("client_secret") == Secret(CANARY_SECRET)
    assert CANARY_SECRET not in repr(found) and CANARY_SECRET not in found.scrub(CANARY_SECRET)


def test_set_oauth_asks_twice_without_showing_it(repo, run_cli) -> None:
    path = repo.write("production", "o365", APP_ONLY.format(name="o365"))
    result = run_cli("secrets", "set-oauth", str(path), input=f"{CANARY_SECRET}\n{CANARY_SECRET}\n")
    assert result.exit_code == 0, repr(result)
    assert CANARY_SECRET not in result.output and "Client secret" in result.stderr


def test_a_google_service_account_key_comes_from_stdin(repo, run_cli, monkeypatch) -> None:
    text = (
        APP_ONLY.format(name="gsa")
        .replace("host: smtp.office365.com", "provider: google-workspace\nhost: smtp.gmail.com")
        .replace(
            "  flow: microsoft-app-only\n  tenant: contoso.onmicrosoft.com\n"
            "  client_id: 11111111-2222-3333-4444-555555555555\n",
            "  flow: google-service-account\n",
        )
        .replace("max_connections: 3\n", "")
    )
    path = repo.write("staging", "gsa", text)
    key = json.dumps(
        {
            "type": "service_account",
            "client_email": "crm@p.iam.gserviceaccount.com",
            "client_id": "4242",
            "private_key": f"-----BEGIN PRIVATE KEY-----\n{CANARY_SECRET}\n"
            "-----END PRIVATE KEY-----\n",
            "token_uri": "https://oauth2.googleapis.com/token",
        },
        indent=2,
    )
    result = run_cli("secrets", "set-oauth", "staging/gsa", "--stdin", input=key)
    assert result.exit_code == 0, repr(result)
    assert "crm@p.iam.gserviceaccount.com (client ID 4242)" in result.stdout
    assert CANARY_SECRET not in path.read_text() + result.output
    repo.use_key(monkeypatch, "staging")
    found = decrypt_credentials(str(path))
    assert isinstance(found, OAuthCredentials)
    assert json.loads(found.parts["service_account_key"].reveal())["private_key"].count(
        CANARY_SECRET
    )


def test_a_multiline_key_is_not_prompted_for(repo, run_cli) -> None:
    text = APP_ONLY.format(name="cert").replace(
        "  client_id: 11111111-2222-3333-4444-555555555555\n",
        "  client_id: 11111111-2222-3333-4444-555555555555\n  certificate_thumbprint: "
        + "AB" * 20
        + "\n",
    )
    repo.write("production", "cert", text)
    result = run_cli("secrets", "set-oauth", "production/cert", input="x\n")
    assert result.exit_code == 2 and "--stdin < the-file" in result.output


def test_google_refresh_token_takes_two_lines(repo, run_cli, monkeypatch) -> None:
    text = (
        APP_ONLY.format(name="gmail")
        .replace("host: smtp.office365.com", "provider: gmail\nhost: smtp.gmail.com")
        .replace(
            "  flow: microsoft-app-only\n  tenant: contoso.onmicrosoft.com\n",
            "  flow: google-refresh-token\n",
        )
    )
    path = repo.write("staging", "gmail", text)
    bad = run_cli("secrets", "set-oauth", "staging/gmail", "--stdin", input="only-one\n")
    assert bad.exit_code == 2 and "client_secret, then refresh_token" in bad.output
    ok = run_cli(
        "secrets", "set-oauth", "staging/gmail", "--stdin", input=f"{CANARY_SECRET}\nrt-1\n"
    )
    assert ok.exit_code == 0, repr(ok)
    repo.use_key(monkeypatch, "staging")
    found = decrypt_credentials(str(path))
    assert isinstance(found, OAuthCredentials)
    assert found.parts["refresh_token"].reveal() == "rt-1"


def test_updatekeys_migrates_an_old_sops_rule(repo, run_cli, monkeypatch) -> None:
    sops = repo.root / ".sops.yaml"
    sops.write_text(sops.read_text().replace(ENCRYPTED_REGEX, "^password$"))
    path = repo.write("production", "o365", APP_ONLY.format(name="o365"))
    refused = run_cli("secrets", "set-oauth", "production/o365", "--stdin", input=CANARY_SECRET)
    assert refused.exit_code == 1 and "secrets updatekeys" in refused.output
    assert "CRED014" in run_cli("validate", "configs").stdout
    migrated = run_cli("secrets", "updatekeys")
    assert "encrypted_regex updated for production, staging" in migrated.stdout
    assert (
        yaml.safe_load(sops.read_text())["creation_rules"][0]["encrypted_regex"] == ENCRYPTED_REGEX
    )
    assert sops.read_text().startswith("#")  # the header comment is kept
    assert (
        run_cli("secrets", "set-oauth", "production/o365", "--stdin", input=CANARY_SECRET).exit_code
        == 0
    )
    assert "encrypted_regex updated" not in run_cli("secrets", "updatekeys").stdout
    assert CANARY_SECRET not in path.read_text()


def test_rotate_keeps_the_oauth_secret(repo, run_cli, monkeypatch) -> None:
    path = repo.write("production", "o365", APP_ONLY.format(name="o365"))
    run_cli("secrets", "set-oauth", "production/o365", "--stdin", input=CANARY_SECRET, expect=0)
    old = yaml.safe_load(path.read_text())["oauth"]["client_secret"]
    repo.use_key(monkeypatch, "production")
    result = run_cli("secrets", "rotate", "--env", "production")
    assert result.exit_code == 0 and "rotated" in result.stdout, repr(result)
    assert yaml.safe_load(path.read_text())["oauth"]["client_secret"] != old
    found = decrypt_credentials(str(path))
    assert (
        isinstance(found, OAuthCredentials)
        and found.parts["client_secret"].reveal() == CANARY_SECRET
    )


def test_a_password_is_refused_for_an_oauth_config(repo, run_cli) -> None:
    path = repo.write("production", "o365", APP_ONLY.format(name="o365"))
    run_cli("secrets", "set-oauth", "production/o365", "--stdin", input=CANARY_SECRET, expect=0)
    try:
        set_password(str(path), Secret("pw"))
    except EncryptionError as exc:
        assert "set-oauth" in (exc.hint or "")
    else:
        raise AssertionError("set-password accepted an OAuth2 config")


def test_set_oauth_without_a_block_explains(repo, run_cli) -> None:
    repo.write("production", "plain")
    result = run_cli("secrets", "set-oauth", "production/plain", "--stdin", input="x")
    assert result.exit_code == 2 and "oauth block" in result.output


def test_secrets_check_with_a_key_verifies_an_oauth_config(repo, run_cli, monkeypatch) -> None:
    repo.write("production", "o365", APP_ONLY.format(name="o365"))
    run_cli("secrets", "set-oauth", "production/o365", "--stdin", input=CANARY_SECRET, expect=0)
    repo.use_key(monkeypatch, "production")
    result = run_cli("secrets", "check", "configs/production", "--require-key")
    assert result.exit_code == 0, repr(result)
    assert "checksum verified" in result.stdout and CANARY_SECRET not in result.output


TRICKY = [
    'quote"and\\backslash',
    "colon: hash # and 'single'",
    "  leading and trailing spaces  ",
    "ünïcødé-€-秘密-🔑",
    "{flow: mapping}, [list], &anchor *alias !tag %percent @at `tick`",
    "yes",
    "0x1F",
]


def test_every_kind_of_secret_comes_back_exactly(repo, run_cli, monkeypatch) -> None:
    from smtpops.encryption import set_oauth

    path = repo.write("production", "o365", APP_ONLY.format(name="o365"))
    repo.use_key(monkeypatch, "production")
    for value in TRICKY:
        set_oauth(str(path), {"client_secret": Secret(value)})
        found = decrypt_credentials(str(path))
        assert isinstance(found, OAuthCredentials)
        assert found.parts["client_secret"].reveal() == value, value
        assert value not in path.read_text() or value == "yes"
    assert run_cli("validate", "configs").exit_code == 0


def test_a_multiline_key_comes_back_exactly(repo, monkeypatch) -> None:
    from smtpops.encryption import set_oauth

    text = APP_ONLY.format(name="cert").replace(
        "  client_id: 11111111-2222-3333-4444-555555555555\n",
        "  client_id: 11111111-2222-3333-4444-555555555555\n  certificate_thumbprint: "
        + "AB" * 20
        + "\n",
    )
    path = repo.write("production", "cert", text)
    pem = (
        "-----BEGIN PRIVATE KEY-----\nMIIB" + "x" * 70 + "\n\tline2\r\n-----END PRIVATE KEY-----\n"
    )
    set_oauth(str(path), {"private_key": Secret(pem)})
    repo.use_key(monkeypatch, "production")
    found = decrypt_credentials(str(path))
    assert isinstance(found, OAuthCredentials) and found.parts["private_key"].reveal() == pem
    assert "MIIB" not in path.read_text()
