"""`smtpops test`'s Token step and AUTH XOAUTH2/OAUTHBEARER against the sandbox (aiosmtpd on
loopback checking the SASL string, with its own HTTPS token endpoint reached through msal),
every failure with its plain-words message and fix."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

import pytest

from smtpops.model import Config
from smtpops.oauth import token as tokens
from smtpops.oauth.credentials import OAuthCredentials
from smtpops.probe import ProbeOptions, run_probe
from smtpops.probe.auth import decode_challenge, oauthbearer_response, xoauth2_response
from smtpops.probe.sandbox import OAUTH_CLIENT_ID, Sandbox
from smtpops.secret import Secret

FLOW = "microsoft-app-only"


@pytest.fixture(autouse=True)
def _no_cached_tokens() -> Any:
    tokens.forget()
    yield
    tokens.forget()


@pytest.fixture
def box(make_sandbox: Callable[..., Sandbox]) -> Sandbox:
    return make_sandbox(oauth=True)


def _probe(box: Sandbox, *, secret: str | None = None, mechanism: str = "XOAUTH2", **oauth: Any):
    fields = box.config(auth_protocol=mechanism)
    fields["oauth"] |= oauth
    fields["oauth"] = {k: v for k, v in fields["oauth"].items() if v is not None}
    config = Config.from_raw(fields)
    assert config.oauth is not None
    creds = OAuthCredentials(
        settings=config.oauth, parts={"client_secret": Secret(secret or box.client_secret)}
    )
    report = run_probe(config, creds, options=ProbeOptions(wait_timeout=5))
    text = json.dumps(report.to_dict())
    assert box.client_secret not in text
    for token in box.issuer.issued:
        assert token not in text and base64.b64encode(token.encode()).decode() not in text
    return report


def _step(report, name: str):
    return next(s for s in report.steps if s.name == name)


def test_the_token_step_comes_before_auth_and_the_login_passes(box: Sandbox) -> None:
    report = _probe(box)
    assert report.passed, report.summary
    names = [s.name for s in report.steps]
    assert names.index("token") == names.index("auth") - 1
    token = _step(report, "token")
    assert token.title == "Token"
    assert token.data["roles"] == ["SMTP.SendAsApp"] and token.data["flow"] == FLOW
    assert token.data["endpoint"].endswith("/sandbox/oauth2/v2.0/token")
    assert 3000 < token.data["expires_in"] <= 3599
    assert "valid for" in token.detail and "SMTP.SendAsApp" in token.detail
    assert "XOAUTH2 as sandbox@example.test" in _step(report, "auth").detail
    assert "C: AUTH XOAUTH2 <credentials hidden>" in report.transcript


def test_oauthbearer_through_the_generic_flow(box: Sandbox) -> None:
    report = _probe(
        box,
        mechanism="OAUTHBEARER",
        flow="generic",
        authority=None,
        token_url=box.issuer.token_url("sandbox"),
    )
    assert report.passed, report.summary
    assert "C: AUTH OAUTHBEARER <credentials hidden>" in report.transcript


@pytest.mark.parametrize(
    ("change", "error", "words"),
    [
        ({"tenant": "fabrikam"}, "token.wrong_tenant", ("tenant 'fabrikam'", "Tenant ID")),
        (
            {"client_id": "nobody"},
            "token.unknown_client",
            ("client ID nobody", "Application (client) ID"),
        ),
        ({"secret": "wrong"}, "token.bad_secret", ("client secret", "not its Secret ID")),
    ],
)
def test_token_failures_are_explained(box: Sandbox, change, error, words) -> None:
    secret = change.pop("secret", None)
    if "tenant" in change:
        change["authority"] = box.issuer.authority(change["tenant"])
    report = _probe(box, secret=secret, **change)
    failure = report.failure
    assert failure is not None and failure.name == "token" and failure.error == error
    assert words[0] in failure.message and words[1] in failure.hint, failure
    assert "auth" not in [s.name for s in report.steps]  # no login attempted


def test_an_expired_secret_is_explained(box: Sandbox) -> None:
    box.issuer.clients[OAUTH_CLIENT_ID].secret_expired = True
    failure = _probe(box).failure
    assert failure is not None and failure.error == "token.expired_secret"
    assert "expired" in failure.message and "New client secret" in failure.hint
    assert "AADSTS7000222" in failure.message


def test_missing_admin_consent_is_explained(box: Sandbox) -> None:
    box.issuer.clients[OAUTH_CLIENT_ID].consented = False
    failure = _probe(box).failure
    assert failure is not None and failure.error == "token.consent_missing"
    assert "Grant admin consent" in failure.hint and "SMTP.SendAsApp" in failure.hint


def test_a_token_without_smtp_send_as_app_is_caught_before_login(box: Sandbox) -> None:
    box.issuer.clients[OAUTH_CLIENT_ID].roles = ("Mail.Read",)
    failure = _probe(box).failure
    assert failure is not None and failure.error == "token.missing_permission"
    assert "SMTP.SendAsApp" in failure.message and "Mail.Read" in failure.message


def test_missing_mailbox_permission_or_service_principal_is_explained(box: Sandbox) -> None:
    box.issuer.clients[OAUTH_CLIENT_ID].mailboxes = ("someone-else@example.test",)
    failure = _probe(box).failure
    assert failure is not None and failure.name == "auth"
    assert failure.error == "auth.oauth_exchange" and "535 5.7.3" in failure.message
    assert "New-ServicePrincipal" in failure.hint and "Add-MailboxPermission" in failure.hint


def test_the_servers_error_challenge_is_decoded(box: Sandbox) -> None:
    """An expired token: the server answers 334 with base64 JSON, smtpops says what it means."""
    box.issuer.lifetime = -60
    report = _probe(box)
    failure = report.failure
    assert failure is not None and failure.error == "auth.token_invalid", failure
    assert "status 401" in failure.message and "535 5.7.8" in failure.message
    assert failure.data["challenge"]["status"] == "401"
    assert any(line.startswith("S: 334 ") for line in report.transcript)


def test_a_token_for_another_mailbox_is_refused(box: Sandbox) -> None:
    fields = box.config(auth_protocol="XOAUTH2") | {"username": "intruder@example.test"}
    config = Config.from_raw(fields)
    assert config.oauth is not None
    box.issuer.clients[OAUTH_CLIENT_ID].mailboxes = None
    creds = OAuthCredentials(
        settings=config.oauth, parts={"client_secret": Secret(box.client_secret)}
    )
    failure = run_probe(config, creds, options=ProbeOptions(wait_timeout=5)).failure
    assert failure is not None and failure.error == "auth.token_refused"
    assert "intruder@example.test" in failure.message


def test_no_credentials_fails_the_token_step(box: Sandbox) -> None:
    config = Config.from_raw(box.config(auth_protocol="XOAUTH2"))
    report = run_probe(config, None, options=ProbeOptions(wait_timeout=5))
    assert report.failure is not None and report.failure.error == "token.no_credentials"


def test_sasl_strings_are_the_documented_ones() -> None:
    token = Secret("ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg")
    assert xoauth2_response("someuser@example.com", token) == (
        b"user=someuser@example.com\x01auth=Bearer ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg"
        b"\x01\x01"
    )
    assert oauthbearer_response("user@example.com", token, "server.example.com", 587).startswith(
        b"n,a=user@example.com,\x01host=server.example.com\x01port=587\x01auth=Bearer ya29."
    )
    # Google's documented error challenge
    assert decode_challenge(
        "eyJzdGF0dXMiOiI0MDEiLCJzY2hlbWVzIjoiYmVhcmVyIG1hYyIsInNjb3BlIjoiaHR0cHM6Ly9tYWlsLmdvb2dsZS5jb20vIn0K"
    ) == {"status": "401", "schemes": "bearer mac", "scope": "https://mail.google.com/"}
    assert decode_challenge("not base64!") is None


def test_microsofts_basic_auth_refusal_points_to_oauth(make_sandbox) -> None:
    box = make_sandbox(
        auth_reply="550 5.7.30 Basic authentication is not supported for Client Submission"
    )
    config = Config.from_raw(box.config() | {"provider": None})
    failure = run_probe(config, Secret(box.password), options=ProbeOptions(wait_timeout=5)).failure
    assert failure is not None and failure.error == "auth.basic_disabled"
    assert "OAuth2" in failure.hint and "--auth oauth" in failure.hint


def test_a_server_that_takes_only_oauth_says_so(make_sandbox) -> None:
    box = make_sandbox(oauth=True, mechanisms=("XOAUTH2",))
    config = Config.from_raw(box.config())  # LOGIN
    failure = run_probe(config, Secret(box.password), options=ProbeOptions(wait_timeout=5)).failure
    assert failure is not None and failure.error == "auth.mechanism"
    assert "only with OAuth2" in failure.hint and "auth_protocol: XOAUTH2" in failure.hint
