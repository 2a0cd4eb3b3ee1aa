"""The OAuth2 fields and rules through `smtpops validate`: schema, flows, scopes, TLS, the
keyless secret checks, and the date-aware Microsoft 365 basic-auth rules."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from smtpops.encryption.sops_config import ENCRYPTED_REGEX
from smtpops.rules.examples import BASE, OAUTH_BASE, OAUTH_SECRET_LINE, oauth_example

CANARY_SECRET = "Canary-Oauth-Secret-5d1e!"


def _validate(run_cli, root: Path, *, today: str | None = None) -> tuple[int, list[dict]]:
    env = {"SMTPOPS_TODAY": today} if today else None
    result = run_cli("validate", str(root / "configs"), "--format", "json", env=env)
    assert result.exit_code in (0, 1), repr(result)
    return result.exit_code, json.loads(result.stdout)["diagnostics"]


def _write(root: Path, text: str, env: str = "development", name: str = "example") -> Path:
    folder = root / "configs" / env
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _rules(diagnostics: list[dict]) -> dict[str, dict]:
    return {d["rule"]: d for d in diagnostics}


def test_an_app_only_config_validates_cleanly(run_cli, tmp_path: Path) -> None:
    _write(tmp_path, OAUTH_BASE)
    code, diagnostics = _validate(run_cli, tmp_path)
    assert code == 0, diagnostics
    assert not {"CRED001", "OAUTH001", "AUTH004"} & set(_rules(diagnostics))


def test_xoauth2_without_an_oauth_block_is_a_schema_error(run_cli, tmp_path: Path) -> None:
    data = yaml.safe_load(OAUTH_BASE)
    data.pop("oauth")
    _write(tmp_path, yaml.safe_dump(data, sort_keys=False))
    code, diagnostics = _validate(run_cli, tmp_path)
    found = _rules(diagnostics)
    assert code == 1 and "OAUTH001" in found and "CRED001" not in found
    assert "'oauth' is missing" in found["OAUTH001"]["message"]


def test_login_without_a_password_still_needs_one(run_cli, tmp_path: Path) -> None:
    data = yaml.safe_load(BASE)
    data.pop("password")
    data.pop("sops")
    _write(tmp_path, yaml.safe_dump(data, sort_keys=False))
    _, diagnostics = _validate(run_cli, tmp_path)
    assert "CRED001" in _rules(diagnostics)


def test_a_bad_value_in_the_oauth_block_is_named_without_echoing_it(run_cli, tmp_path) -> None:
    text = oauth_example({OAUTH_SECRET_LINE: f"    client_secret: [{CANARY_SECRET}]\n"})
    _write(tmp_path, text)
    result = run_cli("validate", str(tmp_path / "configs"))
    assert result.exit_code == 1
    assert "oauth.client_secret" in result.stdout and "OAUTH001" in result.stdout
    assert CANARY_SECRET not in result.output


def test_plaintext_client_secret_is_a_security_error(run_cli, tmp_path: Path) -> None:
    _write(tmp_path, oauth_example({OAUTH_SECRET_LINE: f"    client_secret: {CANARY_SECRET}\n"}))
    code, diagnostics = _validate(run_cli, tmp_path)
    found = _rules(diagnostics)
    assert code == 1 and found["CRED013"]["severity"] == "error"
    assert "set-oauth" in found["CRED013"]["hint"]
    assert CANARY_SECRET not in json.dumps(diagnostics)


def test_a_damaged_encrypted_client_secret_is_reported(run_cli, tmp_path: Path) -> None:
    _write(tmp_path, oauth_example({OAUTH_SECRET_LINE: "    client_secret: ENC[AES256_GCM,x]\n"}))
    _, diagnostics = _validate(run_cli, tmp_path)
    assert "oauth.client_secret" in _rules(diagnostics)["CRED003"]["message"]


def test_a_sops_block_that_leaves_the_client_secret_plain_is_damaged(run_cli, tmp_path) -> None:
    assert f"encrypted_regex: {ENCRYPTED_REGEX}\n" in OAUTH_BASE
    text = OAUTH_BASE.replace(f"encrypted_regex: {ENCRYPTED_REGEX}", "encrypted_regex: ^password$")
    _write(tmp_path, text)
    _, diagnostics = _validate(run_cli, tmp_path)
    assert "client_secret" in _rules(diagnostics)["CRED005"]["message"]


def test_an_old_sops_rule_asks_for_updatekeys(run_cli, tmp_path: Path) -> None:
    recipient = yaml.safe_load(OAUTH_BASE)["sops"]["age"][0]["recipient"]
    (tmp_path / ".sops.yaml").write_text(
        "creation_rules:\n  - path_regex: ^configs/development/\n"
        f"    encrypted_regex: ^password$\n    age:\n      - {recipient}\n"
    )
    _write(tmp_path, OAUTH_BASE)
    _, diagnostics = _validate(run_cli, tmp_path)
    assert "secrets updatekeys" in _rules(diagnostics)["CRED014"]["hint"]


@pytest.mark.parametrize(
    ("replace", "rule"),
    [
        ({"tls: STARTTLS\n": "tls: None\n"}, "OAUTH002"),
        ({"max_connections: 3\n": "max_connections: 3\nverify_certificate: false\n"}, "OAUTH002"),
        ({"    flow: microsoft-app-only\n": "    flow: google-service-account\n"}, "OAUTH003"),
        (
            {"    tenant: contoso.onmicrosoft.com\n": "    scope: https://mail.google.com/\n"},
            "OAUTH004",
        ),
        ({OAUTH_SECRET_LINE: ""}, "OAUTH007"),
        ({"    tenant: contoso.onmicrosoft.com\n": ""}, "OAUTH005"),
    ],
)
def test_oauth_rules_fire(run_cli, tmp_path: Path, replace: dict[str, str], rule: str) -> None:
    _write(tmp_path, oauth_example(replace))
    _, diagnostics = _validate(run_cli, tmp_path)
    assert rule in _rules(diagnostics), diagnostics


def test_missing_secret_names_set_oauth(run_cli, tmp_path: Path) -> None:
    _write(tmp_path, oauth_example({OAUTH_SECRET_LINE: ""}))
    _, diagnostics = _validate(run_cli, tmp_path)
    hit = _rules(diagnostics)["OAUTH007"]
    assert "client_secret" in hit["message"] and "set-oauth" in hit["hint"]


def test_the_certificate_alternative_satisfies_the_app_only_flow(run_cli, tmp_path) -> None:
    cert = (
        "    certificate_thumbprint: " + "AB" * 20 + "\n"
        "    private_key: ENC[AES256_GCM,data:iEVt5lX4v2EznHTb/BHL7Po=,iv:KjKRgxAq7XFoAzzFxPHD4O0JS"
        "+quTDgV9nVDhol+JuQ=,tag:xavNwkkNC0U8/t1zg/H/ZQ==,type:str]\n"
    )
    _write(tmp_path, oauth_example({OAUTH_SECRET_LINE: cert}))
    _, diagnostics = _validate(run_cli, tmp_path)
    assert "OAUTH005" not in _rules(diagnostics)


def test_custom_servers_take_any_flow_but_need_a_scope(run_cli, tmp_path: Path) -> None:
    text = oauth_example(
        {
            "host: smtp.office365.com\n": "provider: custom\nhost: smtp.office365.us\n",
            "    tenant: contoso.onmicrosoft.com\n": "    tenant: contoso.onmicrosoft.us\n"
            "    authority: https://login.microsoftonline.us/contoso.onmicrosoft.us\n",
        }
    )
    _write(tmp_path, text)
    _, diagnostics = _validate(run_cli, tmp_path)
    found = _rules(diagnostics)
    assert "OAUTH003" not in found and "scope" in found["OAUTH005"]["message"]
    _write(
        tmp_path,
        text.replace(
            "    authority:", "    scope: https://outlook.office365.us/.default\n    authority:"
        ),
    )
    _, diagnostics = _validate(run_cli, tmp_path)
    assert not {"OAUTH003", "OAUTH004", "OAUTH005"} & set(_rules(diagnostics))


_O365_LOGIN = BASE.replace("host: smtp.example.com", "host: smtp.office365.com").replace(
    "port: 587\n", "port: 587\nmax_connections: 3\n"
)


@pytest.mark.parametrize(
    ("env", "today", "expected"),
    [
        ("development", "2026-12-01", "AUTH004"),
        ("production", "2026-12-31", "AUTH004"),
        ("production", "2027-01-01", "AUTH005"),
        ("staging", "2027-06-01", "AUTH004"),
    ],
)
def test_basic_auth_rule_depends_on_the_date_and_the_environment(
    run_cli, tmp_path: Path, env: str, today: str, expected: str
) -> None:
    _write(tmp_path, _O365_LOGIN, env=env)
    _, diagnostics = _validate(run_cli, tmp_path, today=today)
    found = _rules(diagnostics)
    assert expected in found and ({"AUTH004", "AUTH005"} - {expected}).isdisjoint(found)
    hit = found[expected]
    assert "December 2026" in hit["message"] and "XOAUTH2" in hit["hint"]
    if expected == "AUTH005":
        assert hit["severity"] == "error"
    else:
        assert hit["severity"] == "warning"


def test_a_recorded_reenablement_turns_the_error_back_into_a_warning(run_cli, tmp_path) -> None:
    reason = "Re-enabled by IT on 2027-01-04, change CHG-1234"
    _write(
        tmp_path,
        _O365_LOGIN.replace("sops:\n", f"basic_auth_reenabled: '{reason}'\nsops:\n"),
        env="production",
    )
    code, diagnostics = _validate(run_cli, tmp_path, today="2027-02-01")
    assert code == 0
    found = _rules(diagnostics)
    assert "AUTH005" not in found and reason in found["AUTH004"]["message"]


def test_a_bad_today_override_is_a_usage_error(run_cli, tmp_path: Path) -> None:
    _write(tmp_path, _O365_LOGIN)
    result = run_cli("validate", str(tmp_path / "configs"), env={"SMTPOPS_TODAY": "soon"})
    assert result.exit_code == 2 and "YYYY-MM-DD" in result.output


def test_a_review_shows_oauth_fields_but_never_its_secret_parts() -> None:
    from smtpops.review.fields import changes

    old = {
        "oauth": {
            "flow": "microsoft-app-only",
            "tenant": "a.onmicrosoft.com",
            "client_secret": "ENC[AES256_GCM,data:old]",
        }
    }
    new = {
        "oauth": {
            "flow": "microsoft-app-only",
            "tenant": "b.onmicrosoft.com",
            "client_secret": CANARY_SECRET,
        }
    }
    shown = {c.field: c for c in changes(old, new)}
    assert shown["oauth.tenant"].describe() == "oauth.tenant: a.onmicrosoft.com → b.onmicrosoft.com"
    assert shown["oauth.tenant"].security
    assert shown["oauth.client_secret"].describe() == "oauth.client_secret: changed"
    assert CANARY_SECRET not in json.dumps([c.to_dict() for c in shown.values()])
    assert "ENC[" not in json.dumps([c.to_dict() for c in shown.values()])


def test_providers_show_lists_the_oauth_flows(run_cli) -> None:
    shown = run_cli("providers", "show", "google-workspace", "--format", "json", expect=0)
    flows = {f["id"]: f for f in json.loads(shown.stdout)["oauth_flows"]}
    assert flows["google-refresh-token"]["scopes"] == ["https://mail.google.com/"]
    assert flows["google-service-account"]["verified"] is False  # FACTS.md has no source
    text = run_cli("providers", "show", "office365", expect=0).stdout
    assert "microsoft-app-only: scope https://outlook.office365.com/.default" in text
    assert "an error in production from 2027-01-01" in text
