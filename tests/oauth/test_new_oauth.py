"""`smtpops new --auth oauth`: guided (questions on a terminal) and from options, the secret
part hidden or from standard input, encrypted once the file exists."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.oauth.conftest import CLIENT_SECRET

CLIENT = "11111111-2222-3333-4444-555555555555"


@pytest.fixture
def keyed_repo(repo_dir: Path, run_cli, tmp_path_factory, monkeypatch) -> Path:
    monkeypatch.setenv("SOPS_AGE_KEY_FILE", str(tmp_path_factory.mktemp("k") / "keys.txt"))
    run_cli("keys", "init", "--env", "production", expect=0)
    return repo_dir


def test_guided_new_asks_for_the_oauth_fields_and_the_hidden_secret(keyed_repo, run_cli) -> None:
    answers = [
        "",  # flow: microsoft-app-only (the default)
        "",  # no certificate
        "contoso.onmicrosoft.com",
        CLIENT,
        "",  # description
        "alerts@contoso.example",
        "crm.contoso.example",
        "",  # no custom headers
        "",  # no limit changes
        CLIENT_SECRET,
        CLIENT_SECRET,
    ]
    result = run_cli(
        "new",
        "o365",
        "--env",
        "production",
        "--provider",
        "office365",
        "--auth",
        "oauth",
        "--guided",
        input="\n".join(answers) + "\n",
    )
    assert result.exit_code == 0, repr(result)
    assert "Tenant:" in result.stdout and "Client secret" in result.stdout
    assert "OAuth2 secret (client_secret): stored encrypted." in result.stdout
    assert CLIENT_SECRET not in result.output
    path = keyed_repo / "configs" / "production" / "o365.yaml"
    data = yaml.safe_load(path.read_text())
    assert data["auth_protocol"] == "XOAUTH2" and "password" not in data
    assert data["oauth"]["client_id"] == CLIENT
    assert data["oauth"]["client_secret"].startswith("ENC[")
    assert CLIENT_SECRET not in path.read_text()
    assert run_cli("validate", "configs").exit_code == 0


def test_new_names_the_missing_oauth_options(keyed_repo, run_cli) -> None:
    result = run_cli(
        "new",
        "o365",
        "--env",
        "production",
        "--provider",
        "office365",
        "--auth",
        "oauth",
        "--username",
        "alerts@contoso.example",
        "--no-guided",
    )
    assert result.exit_code == 2
    assert "--oauth tenant=…" in result.output and "--oauth client_id=…" in result.output


def test_new_without_the_secret_says_how_to_add_it(keyed_repo, run_cli) -> None:
    result = run_cli(
        "new",
        "gws",
        "--env",
        "production",
        "--provider",
        "google-workspace",
        "--auth",
        "oauth",
        "--oauth",
        "flow=google-service-account",
        "--username",
        "alerts@contoso.example",
        "--set",
        "helo_hostname=crm.contoso.example",
        "--no-guided",
    )
    assert result.exit_code == 0, repr(result)
    assert "set-oauth configs/production/gws.yaml" in result.stdout
    found = run_cli("validate", "configs")
    assert "OAUTH007" in found.stdout  # the key is still to be set


def test_providers_without_oauth_refuse(keyed_repo, run_cli) -> None:
    result = run_cli(
        "new",
        "icloud",
        "--env",
        "production",
        "--provider",
        "icloud",
        "--auth",
        "oauth",
        "--username",
        "a@icloud.com",
        "--no-guided",
    )
    assert result.exit_code == 2 and "does not offer OAuth2" in result.output


def test_secret_parts_never_come_from_the_command_line(keyed_repo, run_cli) -> None:
    result = run_cli(
        "new",
        "o365",
        "--env",
        "production",
        "--provider",
        "office365",
        "--auth",
        "oauth",
        "--oauth",
        f"client_secret={CLIENT_SECRET}",
        "--no-guided",
    )
    assert result.exit_code == 2 and "--secret-stdin" in result.output
    assert CLIENT_SECRET not in result.output
    refused = run_cli(
        "new",
        "x",
        "--env",
        "production",
        "--provider",
        "office365",
        "--set",
        "oauth=x",
        "--no-guided",
    )
    assert refused.exit_code == 2 and "--auth oauth" in refused.output


def test_guided_office365_without_auth_points_to_oauth(keyed_repo, run_cli) -> None:
    answers = ["", "crm.contoso.example", "", "", "pw-123456", "pw-123456"]
    result = run_cli(
        "new",
        "o365",
        "--env",
        "production",
        "--provider",
        "office365",
        "--username",
        "alerts@contoso.example",
        "--guided",
        input="\n".join(answers) + "\n",
    )
    assert result.exit_code == 0, repr(result)
    assert "December 2026" in result.stdout and "--auth oauth" in result.stdout
    data = yaml.safe_load((keyed_repo / "configs" / "production" / "o365.yaml").read_text())
    assert data["auth_protocol"] == "LOGIN"


def test_a_secret_without_an_environment_key_is_not_used(repo_dir: Path, run_cli) -> None:
    result = run_cli(
        "new",
        "o365",
        "--env",
        "production",
        "--provider",
        "office365",
        "--auth",
        "oauth",
        "--username",
        "alerts@contoso.example",
        "--oauth",
        "tenant=contoso.onmicrosoft.com",
        "--oauth",
        f"client_id={CLIENT}",
        "--secret-stdin",
        "--no-guided",
        input=CLIENT_SECRET,
    )
    assert result.exit_code == 2 and "the secret was not used" in result.output
    assert "keys init --env production" in result.output and "set-oauth" in result.output
    assert not (repo_dir / "configs" / "production" / "o365.yaml").exists()
    assert CLIENT_SECRET not in result.output
