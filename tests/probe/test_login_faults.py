"""Certificates (trustme: wrong host name, untrusted CA, expired, expiring), AUTH replies with
provider-specific advice, and envelope refusals, against the aiosmtpd sandbox."""

from __future__ import annotations

import pytest


def failure(report: dict) -> dict:
    assert report["passed"] is False, report
    return report["failure"]


@pytest.mark.parametrize("tls", ["STARTTLS", "SSL/TLS"])
def test_certificate_for_another_host(make_sandbox, write_config, probe, tls):
    box = make_sandbox(cert="wrong-host")
    write_config(box.config(tls=tls))
    _, report = probe("development/sandbox", expect=1)
    step = failure(report)
    assert step["name"] == "certificate" and step["error"] == "certificate.hostname"
    assert (
        step["message"] == "The server's certificate is for mail.wrong.example, not for localhost."
    )
    assert "for example mail.wrong.example" in step["hint"]
    assert step["data"]["ca_check"] == "passed"
    assert step["data"]["hostname_check"].startswith("failed: Hostname mismatch")
    tls_step = next(s for s in report["steps"] if s["name"] == "tls")
    assert tls_step["ok"] and tls_step["data"]["version"].startswith("TLSv1.")


def test_certificate_from_an_untrusted_ca(make_sandbox, write_config, probe):
    box = make_sandbox(cert="untrusted")
    write_config(box.config())
    _, report = probe("development/sandbox", expect=1)
    step = failure(report)
    assert step["error"] == "certificate.untrusted"
    assert "not signed by a certificate authority this machine trusts" in step["message"]
    assert "unable to get local issuer certificate" in step["message"]
    assert step["hint"].startswith("Check that ca_file (certs/")
    assert "someone else's CA" in step["hint"]
    assert step["data"]["ca_check"].startswith("failed: unable to get local issuer certificate")
    assert step["data"]["hostname_check"] == "passed"


def test_without_ca_file_the_system_store_is_used(sandbox, write_config, probe):
    write_config(sandbox.config(), ca_file=None)
    _, report = probe("development/sandbox", expect=1)
    step = failure(report)
    assert step["error"] == "certificate.untrusted"
    assert "set ca_file to its PEM file" in step["hint"]


def test_expired_certificate(make_sandbox, write_config, probe):
    box = make_sandbox(cert="expired")
    write_config(box.config())
    _, report = probe("development/sandbox", expect=1)
    step = failure(report)
    assert step["error"] == "certificate.expired"
    assert "certificate has expired" in step["message"]
    assert step["hint"] == "Ask the mail server's admin to renew the certificate."


def test_certificate_expiring_soon_is_a_warning(make_sandbox, write_config, probe):
    box = make_sandbox(cert="expiring")
    write_config(box.config())
    _, report = probe("development/sandbox", expect=0)
    assert any("The certificate expires in " in w for w in report["warnings"])


def test_unverified_certificate_passes_with_a_warning(make_sandbox, write_config, probe):
    box = make_sandbox(cert="untrusted")
    write_config(box.config(), verify_certificate=False, ca_file=None)
    _, report = probe("development/sandbox", expect=0)
    cert = next(s for s in report["steps"] if s["name"] == "certificate")
    assert cert["data"]["ca_check"] == "not checked"
    assert any("verify_certificate is false" in w for w in report["warnings"])


def test_missing_ca_file(sandbox, write_config, probe):
    write_config(sandbox.config(), ca_file="certs/nowhere.pem")
    _, report = probe("development/sandbox", expect=1)
    step = failure(report)
    assert step["error"] == "tls.ca_file"
    assert step["message"] == "The ca_file certs/nowhere.pem cannot be used (no such file)."


@pytest.mark.parametrize("mechanism", ["LOGIN", "PLAIN", "CRAM-MD5"])
def test_wrong_password(sandbox, write_config, probe, mechanism):
    write_config(sandbox.config(auth_protocol=mechanism))
    _, report = probe("development/sandbox", password="Wrong-Pw-1", expect=1)
    step = failure(report)
    assert step["error"] == "auth.failed"
    assert step["message"] == "Authentication failed – check username and password."
    assert "535" in report["transcript"][-3]
    assert report["transcript"][-2:] == [
        "C: QUIT",
        "S: 221 Bye",
    ]  # a failed login still ends politely
    assert "Wrong-Pw-1" not in str(report)


AUTH_REPLIES = [
    (
        "534 5.7.9 Application-specific password required. Learn more at "
        "https://support.google.com/mail/?p=InvalidSecondFactor",
        "auth.app_password",
        "Gmail refused the password: this account needs an app password (534 5.7.9).",
        "Create a Google app password",
    ),
    (
        "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the "
        "Tenant.",
        "auth.smtp_auth_disabled",
        "Microsoft 365 refused the login: SMTP AUTH is disabled for this tenant or mailbox "
        "(535 5.7.139).",
        "Set-CASMailbox -SmtpClientAuthenticationDisabled $false",
    ),
    (
        "530 5.7.0 Must issue a STARTTLS command first",
        "auth.tls_required",
        "The server wants an encrypted connection before login: 530 5.7.0 Must issue a STARTTLS "
        "command first.",
        "Set tls: STARTTLS",
    ),
    (
        "432 4.3.2 STOREDRV.ClientSubmit; sender thread limit exceeded",
        "auth.too_many",
        "The server has too many connections for this account right now: 432 4.3.2 "
        "STOREDRV.ClientSubmit; sender thread limit exceeded.",
        "lower max_connections",
    ),
    (
        "454 4.7.0 Temporary authentication failure",
        "auth.temporary",
        "The server could not log in right now: 454 4.7.0 Temporary authentication failure.",
        "Try again in a few minutes",
    ),
]


@pytest.mark.parametrize(
    ("reply", "error", "message", "hint"), AUTH_REPLIES, ids=[r[1] for r in AUTH_REPLIES]
)
def test_auth_replies_get_their_own_advice(
    make_sandbox, write_config, probe, reply, error, message, hint
):
    box = make_sandbox(auth_reply=reply)
    write_config(box.config())
    _, report = probe("development/sandbox", expect=1)
    step = failure(report)
    assert (step["error"], step["message"]) == (error, message)
    assert hint in step["hint"]


def test_mechanism_not_offered(make_sandbox, write_config, probe):
    box = make_sandbox(mechanisms=("PLAIN", "CRAM-MD5"))
    write_config(box.config(auth_protocol="LOGIN"))
    _, report = probe("development/sandbox", expect=1)
    step = failure(report)
    assert step["error"] == "auth.mechanism"
    assert (
        step["message"]
        == "The server does not offer LOGIN authentication; it offers CRAM-MD5, PLAIN."
    )
    assert step["hint"] == "Set auth_protocol: PLAIN."


def test_sender_refused(make_sandbox, write_config, probe):
    box = make_sandbox(mail_reply="553 5.7.1 Sender address rejected: not owned by user")
    write_config(box.config(), from_address="billing@example.com")
    _, report = probe("development/sandbox", expect=1)
    step = failure(report)
    assert step["error"] == "envelope.sender_refused"
    assert step["message"] == (
        "The server refused the sender billing@example.com: 553 5.7.1 "
        "Sender address rejected: not owned by user."
    )
    assert "Set from_address" in step["hint"]


def test_recipient_refused(make_sandbox, write_config, probe):
    box = make_sandbox(rcpt_reply="550 5.7.1 Relaying denied")
    write_config(box.config())
    _, report = probe("development/sandbox", "--send-to", "someone@elsewhere.example", expect=1)
    step = failure(report)
    assert step["error"] == "envelope.recipient_refused"
    assert "someone@elsewhere.example: 550 5.7.1 Relaying denied" in step["message"]
    assert box.messages == []


def test_no_sender_address(make_sandbox, write_config, probe):
    box = make_sandbox(username="crm-relay")
    write_config(box.config())
    _, report = probe("development/sandbox", expect=1)
    step = failure(report)
    assert step["error"] == "envelope.no_sender"
    assert step["hint"] == "Add from_address: the address the CRM sends from."
