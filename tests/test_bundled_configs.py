"""The bundled configs/ carry the specification's two samples (section 8 of the SMTP
Settings story) with their exact values, validate clean (the README's first command), and
say with a reasoned suppression why a sample value that smtpops warns about stays."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from smtpops.suppressions import parse
from tests.conftest import SHARED

ROOT = Path(__file__).resolve().parents[1]
GMAIL = {
    "host": "smtp.gmail.com",
    "port": 587,
    "auth_protocol": "LOGIN",
    "username": "system-notifications@utilitycompany.com",
    "provider": "gmail",
    "helo_hostname": "mail.utilitycompany.com",
    "tls": "STARTTLS",
    "max_connections": 10,
    "retries": 3,
    "idle_timeout": "30s",
    "wait_timeout": "30s",
    "custom_headers": "X-Mailer: SMART360-System\nX-Priority: 1\n",
}
OFFICE365 = {
    "host": "smtp.office365.com",
    "port": 587,
    "auth_protocol": "LOGIN",
    "username": "smart360@utilitycompany.onmicrosoft.com",
    "provider": "office365",
    "helo_hostname": "localhost",
    "tls": "STARTTLS",
    "max_connections": 5,
    "retries": 2,
    "idle_timeout": "45s",
    "wait_timeout": "60s",
    "custom_headers": "X-Source-System: SMART360\nX-Environment: Production\n",
}
SAMPLES = {"production/gmail-alerts": GMAIL, "production/office365-billing": OFFICE365}


def load(ref: str) -> dict:
    return yaml.safe_load((ROOT / "configs" / f"{ref}.yaml").read_text())


@pytest.mark.parametrize("ref", sorted(SAMPLES))
def test_the_bundled_sample_has_the_specs_values(ref: str) -> None:
    data = load(ref)
    assert {k: data[k] for k in SAMPLES[ref]} == SAMPLES[ref]
    assert data["password"].startswith("ENC[AES256_GCM,") and data["sops"]["mac_only_encrypted"]


def test_the_values_are_the_ones_in_the_specification() -> None:
    spec = SHARED / "spec" / "000_e125ade82d246210.txt"
    if not spec.is_file():
        pytest.skip(f"the specification is not here ({spec}); it is optional")
    section = spec.read_text().split("8. Sample Data", 1)[1].split("9. Acceptance", 1)[0]
    gmail, office = section.split("Sample SMTP Configuration - Office 365")
    for text, expected in ((gmail, GMAIL), (office, OFFICE365)):
        fields = dict(re.findall(r"^([A-Za-z ]+): (.+)$", text, re.M))
        assert fields["Username"] == expected["username"]
        assert fields["HELO Hostname"] == expected["helo_hostname"]
        assert int(fields["Max Connections"]) == expected["max_connections"]
        assert int(fields["Retries"]) == expected["retries"]
        assert fields["Idle Timeout"] == expected["idle_timeout"]
        assert fields["Wait Timeout"] == expected["wait_timeout"]
        for header in expected["custom_headers"].splitlines():
            assert re.search(rf"^{re.escape(header)}$", text, re.M), header


def test_the_samples_validate_clean_even_strict(run_cli, monkeypatch) -> None:
    monkeypatch.chdir(ROOT)
    result = run_cli("validate", "--strict", "--format", "json", expect=0)
    rules = {d["rule"] for d in json.loads(result.stdout)["diagnostics"]}
    assert rules <= {"PROV007"}  # only the providers' notes


def test_each_warned_sample_value_carries_a_reasoned_suppression() -> None:
    text = (ROOT / "configs/production/office365-billing.yaml").read_text()
    found = {tuple(s.ids): s.reason for s in parse(text)}
    assert set(found) == {("HELO",), ("PROV006",), ("LIMIT005",)}
    assert all(reason and "specification" in reason for reason in found.values())
