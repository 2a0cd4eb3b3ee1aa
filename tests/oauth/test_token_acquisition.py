"""Token acquisition through msal and google-auth themselves (and a plain POST for generic
endpoints), against the local HTTPS token endpoint: success and every failure class."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from smtpops.model import Config
from smtpops.oauth import token as tokens
from smtpops.oauth.issuer import SEND_AS_APP, Client, TokenIssuer
from smtpops.oauth.token import TokenError, acquire, claims
from tests.oauth.conftest import (
    CLIENT_ID,
    CLIENT_SECRET,
    MAILBOX,
    TENANT,
    credentials,
    google_config,
    microsoft_config,
    rsa_key,
    service_account,
)


def _fails(config: Config, kind: str, **parts: str) -> TokenError:
    with pytest.raises(TokenError) as caught:
        acquire(config, credentials(config, **parts))
    assert caught.value.kind == kind, (caught.value.code, caught.value.description)
    assert CLIENT_SECRET not in f"{caught.value} {caught.value.description}"
    return caught.value


def test_msal_gets_an_app_only_token_from_the_overridden_authority(issuer, ca_file) -> None:
    config = microsoft_config(issuer, ca_file)
    token = acquire(config, credentials(config, client_secret=CLIENT_SECRET))
    assert token.value.reveal() in issuer.issued
    assert SEND_AS_APP in token.roles and token.flow == "microsoft-app-only"
    assert token.endpoint == issuer.token_url(TENANT)
    assert 3000 < token.expires_in() <= 3599
    # msal read the OpenID configuration of the authority (instance discovery off) and posted
    # the client credentials grant; nothing else was asked
    assert issuer.requests == [
        f"GET /{TENANT}/v2.0/.well-known/openid-configuration",
        f"POST /{TENANT}/oauth2/v2.0/token client_credentials",
    ]
    assert claims(token.value.reveal())["roles"] == [SEND_AS_APP]


@pytest.mark.parametrize(
    ("change", "kind", "code"),
    [
        ({"tenant": "fabrikam.onmicrosoft.com"}, "wrong_tenant", ""),
        ({"client_id": "99999999-0000-0000-0000-000000000000"}, "unknown_client", "AADSTS700016"),
    ],
)
def test_microsoft_directory_failures(issuer, ca_file, change, kind, code) -> None:
    config = microsoft_config(issuer, ca_file, **change)
    error = _fails(config, kind, client_secret=CLIENT_SECRET)
    assert error.code == code


def test_a_wrong_client_secret_is_bad_secret(issuer, ca_file) -> None:
    error = _fails(microsoft_config(issuer, ca_file), "bad_secret", client_secret="wrong-one")
    assert error.code == "AADSTS7000215"


def test_an_expired_client_secret_is_named(issuer, ca_file) -> None:
    issuer.clients[CLIENT_ID].secret_expired = True
    error = _fails(microsoft_config(issuer, ca_file), "expired_secret", client_secret=CLIENT_SECRET)
    assert error.code == "AADSTS7000222"


def test_missing_admin_consent_is_named(issuer, ca_file) -> None:
    issuer.clients[CLIENT_ID].consented = False
    _fails(microsoft_config(issuer, ca_file), "consent_missing", client_secret=CLIENT_SECRET)


def test_a_token_without_send_as_app_still_comes_back_with_its_roles(issuer, ca_file) -> None:
    issuer.clients[CLIENT_ID].roles = ()
    config = microsoft_config(issuer, ca_file)
    token = acquire(config, credentials(config, client_secret=CLIENT_SECRET))
    assert token.roles == ()


def test_the_token_endpoint_certificate_is_verified(issuer, tmp_path: Path) -> None:
    """Without the test CA the endpoint's certificate is untrusted: refused, not ignored."""
    config = microsoft_config(issuer, None)
    error = _fails(config, "certificate", client_secret=CLIENT_SECRET)
    assert "CERTIFICATE_VERIFY_FAILED" in error.description


def test_requests_ca_bundle_is_honoured_when_no_ca_file_is_set(
    issuer, ca_file, monkeypatch
) -> None:
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", ca_file)
    config = microsoft_config(issuer, None)
    token = acquire(config, credentials(config, client_secret=CLIENT_SECRET))
    assert token.roles == (SEND_AS_APP,)


def _certificate(ca) -> tuple[str, bytes, str]:
    """(private key PEM, certificate PEM, SHA-1 thumbprint hex) of a self-signed cert."""
    import datetime
    import hashlib

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.x509.oid import NameOID

    private, _ = rsa_key()
    key = serialization.load_pem_private_key(private.encode(), None)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "smtpops-crm")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())  # type: ignore[union-attr]
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .sign(key, hashes.SHA256())  # type: ignore[arg-type]
    )
    der = cert.public_bytes(serialization.Encoding.DER)
    return private, cert.public_bytes(serialization.Encoding.PEM), hashlib.sha1(der).hexdigest()


def test_msal_signs_in_with_a_certificate(issuer, ca_file, ca) -> None:
    private, cert_pem, thumbprint = _certificate(ca)
    issuer.clients[CLIENT_ID].certificate_pem = cert_pem
    config = microsoft_config(issuer, ca_file, certificate_thumbprint=thumbprint)
    token = acquire(config, credentials(config, private_key=private))
    assert token.roles == (SEND_AS_APP,)


def test_a_certificate_the_app_does_not_know_is_bad_certificate(issuer, ca_file, ca) -> None:
    _, cert_pem, thumbprint = _certificate(ca)
    other, _, _ = _certificate(ca)
    issuer.clients[CLIENT_ID].certificate_pem = cert_pem
    config = microsoft_config(issuer, ca_file, certificate_thumbprint=thumbprint)
    _fails(config, "bad_certificate", private_key=other)


def test_msal_delegated_refresh_token(issuer, ca_file) -> None:
    public = issuer.add_client(Client(client_id="public-app", tenant=TENANT, user=MAILBOX))
    refresh = issuer.new_refresh_token(public.client_id)
    config = microsoft_config(
        issuer, ca_file, flow="microsoft-delegated", client_id="public-app", client_secret=None
    )
    token = acquire(config, credentials(config, refresh_token=refresh))
    assert issuer.check(MAILBOX, token.value.reveal()) is None
    assert "https://outlook.office.com/SMTP.Send" in token.scopes
    assert issuer.requests[-1].endswith("refresh_token")
    _fails(config, "refresh_expired", refresh_token="rt-revoked")


def test_google_refresh_token(issuer, ca_file) -> None:
    issuer.add_client(Client(client_id="g-client", secret=CLIENT_SECRET, user=MAILBOX))
    refresh = issuer.new_refresh_token("g-client")
    config = google_config(issuer, ca_file, "google-refresh-token", client_id="g-client")
    token = acquire(config, credentials(config, client_secret=CLIENT_SECRET, refresh_token=refresh))
    assert issuer.check(MAILBOX, token.value.reveal()) is None
    assert token.scopes == ("https://mail.google.com/",)
    assert issuer.requests == ["POST /token refresh_token"]


@pytest.mark.parametrize(
    ("setup", "parts", "kind"),
    [
        ("none", {"client_secret": "wrong", "refresh_token": "x"}, "bad_secret"),
        ("expired", {"client_secret": CLIENT_SECRET, "refresh_token": "rt-old"}, "refresh_expired"),
        ("stale", {"client_secret": CLIENT_SECRET, "refresh_token": "x"}, "expired_secret"),
    ],
)
def test_google_refresh_failures(issuer, ca_file, setup, parts, kind) -> None:
    issuer.add_client(
        Client(client_id="g-client", secret=CLIENT_SECRET, secret_expired=setup == "stale")
    )
    config = google_config(issuer, ca_file, "google-refresh-token", client_id="g-client")
    _fails(config, kind, **parts)


def test_google_service_account_with_the_mailbox_as_subject(issuer, ca_file) -> None:
    key = service_account(issuer)
    config = google_config(issuer, ca_file, "google-service-account")
    token = acquire(config, credentials(config, service_account_key=key))
    assert issuer.issued[token.value.reveal()].subject == MAILBOX
    assert issuer.check(MAILBOX, token.value.reveal()) is None
    assert issuer.check("someone-else@contoso.example", token.value.reveal()) is not None
    assert token.expires_in() > 3000


def test_google_service_account_without_delegation_is_consent_missing(issuer, ca_file) -> None:
    key = service_account(issuer, delegated_scopes=())
    _fails(
        google_config(issuer, ca_file, "google-service-account"),
        "consent_missing",
        service_account_key=key,
    )


def test_a_service_account_key_google_does_not_know_is_bad_key(issuer, ca_file) -> None:
    service_account(issuer)
    stale = service_account(TokenIssuer(None))  # another key for the same account name
    _fails(
        google_config(issuer, ca_file, "google-service-account"),
        "bad_key",
        service_account_key=stale,
    )


def test_an_unreadable_service_account_key_is_bad_key_without_quoting_it(issuer, ca_file) -> None:
    error = _fails(
        google_config(issuer, ca_file, "google-service-account"),
        "bad_key",
        service_account_key='{"private_key": "' + CLIENT_SECRET + '"}',
    )
    assert CLIENT_SECRET not in repr(error.__dict__)


def test_generic_endpoint_with_a_plain_post(issuer, ca_file) -> None:
    config = Config.from_raw(
        {
            "provider": "custom",
            "host": "mail.example.com",
            "auth_protocol": "OAUTHBEARER",
            "username": MAILBOX,
            "oauth": {
                "flow": "generic",
                "token_url": issuer.token_url(TENANT),
                "client_id": CLIENT_ID,
                "scope": "https://outlook.office365.com/.default",
                "ca_file": ca_file,
            },
        }
    )
    token = acquire(config, credentials(config, client_secret=CLIENT_SECRET))
    assert token.scopes == ("https://outlook.office365.com/.default",)
    _fails(config, "bad_secret", client_secret="nope")


def test_tokens_are_cached_in_memory_and_renewed_before_expiry(issuer, ca_file) -> None:
    config = microsoft_config(issuer, ca_file)
    creds = credentials(config, client_secret=CLIENT_SECRET)
    first = acquire(config, creds)
    assert acquire(config, creds) is first
    assert len(issuer.requests) == 2
    issuer.lifetime = 60  # shorter than the renewal margin: every use renews
    tokens.forget()
    short = acquire(config, creds)
    again = acquire(config, creds)
    assert again is not short and again.expires_at >= short.expires_at
    assert creds.scrub(f"{first.value.reveal()} {again.value.reveal()}").count("*") >= 16


def test_no_token_or_secret_touches_the_disk(issuer, ca_file, tmp_path: Path) -> None:
    before = {p: p.stat().st_mtime_ns for p in Path(tmp_path).rglob("*")}
    config = microsoft_config(issuer, ca_file)
    token = acquire(config, credentials(config, client_secret=CLIENT_SECRET))
    home = Path(__import__("os").environ["HOME"])
    for folder in (tmp_path, home):
        for path in folder.rglob("*"):
            if path.is_file():
                data = path.read_bytes()
                assert token.value.reveal().encode() not in data
                assert CLIENT_SECRET.encode() not in data
    assert set(before) <= {p for p in Path(tmp_path).rglob("*")}
    assert time.time() < token.expires_at
