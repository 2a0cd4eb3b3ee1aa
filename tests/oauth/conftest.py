"""A local HTTPS token endpoint (trustme CA) that answers like Microsoft's and Google's, and
helpers to build OAuth configs and their decrypted credentials."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from smtpops.model import Config
from smtpops.oauth import token as tokens
from smtpops.oauth.credentials import OAuthCredentials
from smtpops.oauth.issuer import Client, ServiceAccount, TokenIssuer
from smtpops.secret import Secret
from tests.probe.conftest import make_sandbox  # noqa: F401 - the sandbox fixture

CLIENT_SECRET = "Canary-Client-Secret-91b2~Qx"  # must never leak
TENANT = "contoso.onmicrosoft.com"
CLIENT_ID = "11111111-2222-3333-4444-555555555555"
MAILBOX = "alerts@contoso.example"
SA_EMAIL = "crm-mailer@project.iam.gserviceaccount.com"


@pytest.fixture
def ca() -> Any:
    import trustme

    return trustme.CA(organization_name="smtpops test CA")


@pytest.fixture
def ca_file(ca: Any, tmp_path: Path) -> str:
    path = tmp_path / "token-ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return str(path)


@pytest.fixture
def issuer(ca: Any) -> Iterator[TokenIssuer]:
    tokens.forget()
    box = TokenIssuer(ca).start()
    box.add_client(Client(client_id=CLIENT_ID, secret=CLIENT_SECRET, tenant=TENANT))
    yield box
    box.stop()
    tokens.forget()


def rsa_key() -> tuple[str, bytes]:
    """(private PEM text, public PEM bytes) of a fresh RSA key."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return private, public


def service_account(issuer: TokenIssuer, **kwargs: Any) -> str:
    """A registered service account; returns its JSON key (as Google's console gives it)."""
    private, public = rsa_key()
    issuer.add_service_account(ServiceAccount(email=SA_EMAIL, public_key_pem=public, **kwargs))
    return json.dumps(
        {
            "type": "service_account",
            "project_id": "project",
            "private_key_id": "0123456789abcdef",
            "private_key": private,
            "client_email": SA_EMAIL,
            "client_id": "1234567890",
            "token_uri": "https://oauth2.googleapis.com/token",
        }
    )


def microsoft_config(issuer: TokenIssuer, ca_file: str | None, **oauth: Any) -> Config:
    block = {
        "flow": "microsoft-app-only",
        "tenant": TENANT,
        "client_id": CLIENT_ID,
        "authority": issuer.authority(oauth.pop("tenant", TENANT)),
        "client_secret": "ENC[...]",
        **({"ca_file": ca_file} if ca_file else {}),
        **oauth,
    }
    return Config.from_raw(
        {
            "provider": "office365",
            "host": "smtp.office365.com",
            "auth_protocol": "XOAUTH2",
            "username": MAILBOX,
            "oauth": block,
        }
    )


def google_config(issuer: TokenIssuer, ca_file: str | None, flow: str, **oauth: Any) -> Config:
    block = {"flow": flow, "token_url": issuer.google_token_url, "ca_file": ca_file, **oauth}
    return Config.from_raw(
        {
            "provider": "google-workspace",
            "host": "smtp.gmail.com",
            "auth_protocol": "XOAUTH2",
            "username": MAILBOX,
            "oauth": {k: v for k, v in block.items() if v is not None},
        }
    )


def credentials(config: Config, **parts: str) -> OAuthCredentials:
    assert config.oauth is not None
    return OAuthCredentials(settings=config.oauth, parts={k: Secret(v) for k, v in parts.items()})
