"""The provider rules, through `smtpops validate`, on configs written as users write them."""

from __future__ import annotations

from pathlib import Path

import pytest
from prov_helpers import ENCRYPTED_PASSWORD, write_config

BASE = """\
name: example
host: smtp.gmail.com
port: 587
tls: STARTTLS
auth_protocol: LOGIN
username: alerts@example-utility.com
helo_hostname: crm.example-utility.com
"""


def config(**fields: object) -> str:
    lines = dict(line.split(": ", 1) for line in BASE.splitlines())
    for key, value in fields.items():
        if value is None:
            lines.pop(key, None)
        else:
            lines[key] = str(value)
    return "".join(f"{k}: {v}\n" for k, v in lines.items()) + ENCRYPTED_PASSWORD


def findings(project: Path, validate, text: str, env: str = "development", strict=False):
    path = write_config(project, text, env=env)
    code, diagnostics = validate(str(path), strict=strict)
    return code, {d["rule"]: d for d in diagnostics}


def test_gmail_provider_with_an_office365_host_names_the_right_provider(project, validate):
    code, found = findings(project, validate, config(provider="gmail", host="smtp.office365.com"))
    assert code == 1
    d = found["PROV003"]
    assert d["severity"] == "error" and "office365" in d["message"] and d["field"] == "host"
    assert "provider: office365" in d["hint"] and "smtp.gmail.com" in d["hint"]


def test_unknown_host_for_a_provider(project, validate):
    code, found = findings(
        project,
        validate,
        config(provider="yahoo", host="smtp.example.com", port=465, tls="SSL/TLS"),
    )
    assert code == 1 and "smtp.mail.yahoo.com" in found["PROV003"]["message"]


@pytest.mark.parametrize(
    ("host", "port", "tls", "accepted"),
    [
        ("smtp.gmail.com", 25, "STARTTLS", "587 with STARTTLS, 465 with SSL/TLS"),
        ("smtp.gmail.com", 2525, "STARTTLS", "587 with STARTTLS"),
        ("smtp.office365.com", 465, "SSL/TLS", "587 with STARTTLS"),
        ("smtp.office365.com", 25, "STARTTLS", "587 with STARTTLS"),
        ("smtp.postmarkapp.com", 465, "SSL/TLS", "2525 with STARTTLS"),
    ],
)
def test_port_and_tls_not_offered(project, validate, host, port, tls, accepted):
    code, found = findings(project, validate, config(host=host, port=port, tls=tls))
    assert code == 1
    d = found["PROV004"]
    assert f"port {port} with {tls}" in d["message"] and accepted in d["message"]
    assert "recognised from the server name" in d["message"]


@pytest.mark.parametrize(
    ("host", "port", "tls"),
    [
        ("smtp.gmail.com", 465, "SSL/TLS"),
        ("smtp.gmail.com", 587, "STARTTLS"),
        ("email-smtp.eu-west-1.amazonaws.com", 2587, "STARTTLS"),
        ("smtp.sendgrid.net", 2525, "STARTTLS"),
    ],
)
def test_offered_ports_pass(project, validate, host, port, tls):
    user = "apikey" if "sendgrid" in host else "alerts@example-utility.com"
    _, found = findings(project, validate, config(host=host, port=port, tls=tls, username=user))
    assert "PROV004" not in found


def test_auth_mechanism_not_offered(project, validate):
    code, found = findings(project, validate, config(auth_protocol="CRAM-MD5"))
    assert code == 1 and "does not offer CRAM-MD5" in found["PROV005"]["message"]
    code, found = findings(
        project,
        validate,
        config(host="smtp.fastmail.com", port=465, tls="SSL/TLS", auth_protocol="LOGIN"),
    )
    assert code == 1 and "it offers PLAIN" in found["PROV005"]["message"]
    assert "unverified" not in found["PROV005"]["message"]
    _, found = findings(
        project,
        validate,
        config(host="smtp.mail.yahoo.com", port=465, tls="SSL/TLS", auth_protocol="CRAM-MD5"),
    )
    assert "unverified" in found["PROV005"]["message"]


def test_connection_limit_warns_and_fails_only_when_strict(project, validate):
    text = config(host="smtp.office365.com", max_connections=10)
    code, found = findings(project, validate, text)
    assert code == 0 and found["PROV006"]["severity"] == "warning"
    assert (
        "allows 3" in found["PROV006"]["message"]
        and "max_connections: 3" in found["PROV006"]["hint"]
    )
    code, _ = findings(project, validate, text, strict=True)
    assert code == 1
    code, found = findings(
        project, validate, config(host="smtp.office365.com", max_connections=None)
    )
    assert "the default" in found["PROV006"]["message"]
    _, found = findings(project, validate, config(host="smtp.office365.com", max_connections=3))
    assert "PROV006" not in found


def test_connection_limit_is_an_error_where_the_policy_is_strict(project, validate):
    """The provider blocks the extra connections, so production (strict) refuses it."""
    text = config(host="smtp.office365.com", max_connections=10)
    code, found = findings(project, validate, text, env="production")
    assert code == 1 and found["PROV006"]["severity"] == "error"
    code, found = findings(project, validate, text, env="staging")
    assert code == 0 and found["PROV006"]["severity"] == "warning"


def test_credential_notes(project, validate):
    _, found = findings(project, validate, config())
    assert found["PROV007"]["severity"] == "info" and "app password" in found["PROV007"]["message"]
    code, found = findings(
        project, validate, config(host="smtp.mail.yahoo.com", port=465, tls="SSL/TLS")
    )
    assert code == 0 and found["PROV008"]["severity"] == "warning"
    assert "app password" in found["PROV008"]["message"] and found["PROV008"]["field"] == "password"
    _, found = findings(project, validate, config(host="smtp.office365.com", max_connections=3))
    assert "SMTP AUTH" in found["PROV007"]["message"] and "OAuth2" in found["PROV007"]["message"]


def test_unknown_provider_suggests(project, validate):
    code, found = findings(project, validate, config(provider="gmial"))
    assert code == 1 and "Did you mean provider: gmail?" in found["PROV002"]["hint"]
    code, found = findings(
        project, validate, config(provider="outlook-com", host="smtp-mail.outlook.com")
    )
    assert code == 1 and found["PROV002"]["hint"] == "Write provider: outlook"


def test_custom_needs_every_field(project, validate):
    _, found = findings(project, validate, config(provider="custom", host="mail.example.net"))
    d = found["PROV009"]
    assert "max_connections" in d["message"] and "verify_certificate" in d["message"]
    full = config(
        provider="custom",
        host="mail.example.net",
        verify_certificate="true",
        max_connections=10,
        retries=3,
        idle_timeout=30,
        wait_timeout=30,
    )
    _, found = findings(project, validate, full)
    assert "PROV009" not in found


def test_fixed_and_email_usernames(project, validate):
    code, found = findings(project, validate, config(host="smtp.sendgrid.net"))
    assert code == 1 and "'apikey'" in found["PROV010"]["message"]
    _, found = findings(project, validate, config(username="alerts"))
    assert found["PROV011"]["severity"] == "warning"


def test_known_host_under_custom_or_exchange_is_a_note(project, validate):
    _, found = findings(project, validate, config(provider="exchange", host="smtp.office365.com"))
    assert found["PROV012"]["severity"] == "info" and "office365" in found["PROV012"]["hint"]


def test_local_server_is_not_mistaken_for_proton_bridge(project, validate):
    _, found = findings(project, validate, config(host="127.0.0.1", port=1025, tls="None"))
    assert not [r for r in found if r.startswith("PROV")], found
    _, found = findings(
        project,
        validate,
        config(provider="proton-bridge", host="127.0.0.1", port=1025, tls="STARTTLS"),
    )
    assert found["PROV008"]["severity"] == "warning"
    code, found = findings(
        project,
        validate,
        config(provider="proton-bridge", host="127.0.0.1", port=1025, tls="STARTTLS"),
        env="production",
    )
    assert code == 1 and "HOST004" in found
