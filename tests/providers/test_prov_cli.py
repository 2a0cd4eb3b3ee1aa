"""`smtpops providers` and `smtpops providers show`."""

from __future__ import annotations

import json

from smtpops.providers import catalog


def test_list_shows_every_provider_with_its_recommended_port(run_cli):
    out = run_cli("providers", expect=0).stdout
    lines = {line.split()[0]: line for line in out.splitlines() if line.strip()}
    for p in catalog().values():
        assert p.id in lines, p.id
    assert "smtp.gmail.com" in lines["gmail"] and "587 STARTTLS" in lines["gmail"]
    assert "465 SSL/TLS" in lines["yahoo"]
    assert "email-smtp.<region>.amazonaws.com" in lines["amazon-ses"]


def test_list_as_json(run_cli):
    rows = json.loads(run_cli("providers", "--format", "json", expect=0).stdout)
    office = next(r for r in rows if r["id"] == "office365")
    assert office == {
        "id": "office365",
        "name": "Microsoft 365 / Exchange Online",
        "host": "smtp.office365.com",
        "port": 587,
        "tls": "STARTTLS",
    }


def test_show_prints_facts_notes_and_sources(run_cli):
    out = run_cli("providers", "show", "office365", expect=0).stdout
    for text in (
        "smtp.office365.com",
        "587 with STARTTLS (recommended)",
        "Max connections:  3",
        "SMTP AUTH",
        "Sources:",
        "learn.microsoft.com",
        "unverified",
    ):
        assert text in out, text


def test_show_by_alias_and_as_json(run_cli):
    data = json.loads(
        run_cli("providers", "show", "exchange-onprem", "--format", "json", expect=0).stdout
    )
    assert data["id"] == "exchange" and data["any_host"] is True
    assert data["parameters"][0]["name"] == "host"
    data = json.loads(run_cli("providers", "--format", "json", "show", "ses", expect=0).stdout)
    assert data["host_patterns"] and data["auth_verified"] is False


def test_show_marks_unverified_ports(run_cli):
    out = run_cli("providers", "show", "yahoo", expect=0).stdout
    assert "587 with STARTTLS (unverified)" in out


def test_show_unknown_provider_suggests(run_cli):
    result = run_cli("providers", "show", "gmial", expect=2)
    assert "no provider 'gmial'" in result.stderr and "Did you mean 'gmail'" in result.stderr
    assert "Traceback" not in result.output
