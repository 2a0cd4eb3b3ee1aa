"""The provider facts: complete, schema-checked, sourced, honest about what is unverified,
and extensible by adding a folder."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from smtpops import engine
from smtpops.errors import InputError
from smtpops.model import AUTH_PROTOCOLS
from smtpops.providers import SCHEMA_FILE, catalog, detect, resolve, suggest
from smtpops.resources import data_dir

REQUIRED_IDS = {
    "gmail",
    "office365",
    "yahoo",
    "outlook",
    "exchange",
    "custom",
    "google-workspace",
    "google-workspace-relay",
    "icloud",
    "zoho",
    "fastmail",
    "aol",
    "gmx",
    "sendgrid",
    "mailgun",
    "amazon-ses",
    "postmark",
    "sparkpost",
    "mailjet",
    "brevo",
    "mandrill",
    "smtp2go",
    "elastic-email",
    "resend",
    "proton-smtp",
    "proton-bridge",
}
PROVIDERS = catalog()


def test_every_required_provider_is_there() -> None:
    assert set(PROVIDERS) >= REQUIRED_IDS
    for p in PROVIDERS.values():
        assert p.template_path.is_file(), p.id


@pytest.mark.parametrize("pid", sorted(PROVIDERS))
def test_facts_are_sourced_and_unverified_claims_say_so(pid: str) -> None:
    p = PROVIDERS[pid]
    assert p.sources, pid
    notes = " ".join(p.notes).lower()
    if not p.auth_verified:
        assert "unverified" in notes, f"{pid}: auth_verified is false but the notes do not say so"
    if any(not e.verified for e in p.endpoints):
        assert "unverified" in notes or "secondary" in notes, pid
    assert set(p.auth) <= set(AUTH_PROTOCOLS)
    for flow in p.oauth_flows:  # an OAuth flow is offered only where the token mechanism is
        assert {"XOAUTH2", "OAUTHBEARER"} & set(p.auth), pid
        assert flow.verified or "unverified" in flow.note.lower(), (pid, flow.id)
    assert all(e.tls in ("STARTTLS", "SSL/TLS", "None") for e in p.endpoints)
    assert p.any_host or p.hosts or p.host_patterns, pid
    if p.endpoints:
        assert p.recommended is not None and p.recommended.tls != "None", pid


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("smtp.gmail.com", "gmail"),
        ("SMTP.Office365.com.", "office365"),
        ("email-smtp.eu-west-1.amazonaws.com", "amazon-ses"),
        ("email-smtp.us-gov-west-1.amazonaws.com", "amazon-ses"),
        ("smtppro.zoho.eu", "zoho"),
        ("smtp.eu.mailgun.org", "mailgun"),
        ("email.us-east-1.amazonaws.com", None),  # the HTTPS API, not SMTP
        ("smtp.example.com", None),
        ("127.0.0.1", None),  # Proton Bridge is never guessed from a loopback host
        ("mail.contoso.com", None),  # Exchange on-premises: any host, never guessed
    ],
)
def test_detect_from_host(host: str, expected: str | None) -> None:
    found = detect(host, PROVIDERS)
    assert (found.id if found else None) == expected


def test_aliases_and_suggestions() -> None:
    assert resolve("outlook-com", PROVIDERS).id == "outlook"
    assert resolve("Exchange-OnPrem", PROVIDERS).id == "exchange"
    assert resolve("sendinblue", PROVIDERS).id == "brevo"
    assert suggest("gmial", PROVIDERS) == "gmail"
    assert suggest("Microsoft 365", PROVIDERS) == "office365"
    assert suggest("zzzzzzzz", PROVIDERS) is None


def test_ids_and_aliases_are_unique() -> None:
    seen: dict[str, str] = {}
    for p in PROVIDERS.values():
        for label in (p.id, *p.aliases):
            assert label not in seen, f"{label} used by {seen.get(label)} and {p.id}"
            seen[label] = p.id


def _copy_catalog(tmp_path: Path) -> Path:
    root = tmp_path / "providers"
    shutil.copytree(data_dir("providers"), root)
    return root


def test_malformed_facts_name_the_file_line_and_field(tmp_path: Path) -> None:
    root = _copy_catalog(tmp_path)
    facts = root / "gmail" / "provider.yaml"
    facts.write_text(facts.read_text().replace("tls: SSL/TLS", "tls: TLS"))
    with pytest.raises(InputError) as caught:
        catalog(str(root))
    message = caught.value.message
    assert "gmail/provider.yaml:" in message and "endpoints.1.tls" in message
    assert re.search(r"provider\.yaml:\d+", message)
    assert SCHEMA_FILE in (caught.value.hint or "")


def test_id_must_match_folder(tmp_path: Path) -> None:
    root = _copy_catalog(tmp_path)
    shutil.move(root / "yahoo", root / "yahoo2")
    with pytest.raises(InputError, match="differs from its folder name"):
        catalog(str(root))


ACME = """\
id: acme
name: ACME Mail
hosts: [smtp.acme.test]
endpoints:
  - {port: 2525, tls: STARTTLS, recommended: true}
auth: [CRAM-MD5]
max_connections: 2
notices:
  - {severity: warning, text: "ACME needs a token", hint: "Make a token."}
sources: ["made up for this test"]
"""


def test_adding_a_provider_is_adding_a_folder(tmp_path: Path, monkeypatch) -> None:
    root = _copy_catalog(tmp_path)
    (root / "acme").mkdir()
    (root / "acme" / "provider.yaml").write_text(ACME)
    (root / "acme" / "template.yaml.j2").write_text("name: {{ name | yaml }}\n")
    env_dir = tmp_path / "configs" / "development"
    env_dir.mkdir(parents=True)
    (env_dir / "a.yaml").write_text(
        "name: a\nhost: smtp.acme.test\nport: 587\ntls: STARTTLS\nauth_protocol: LOGIN\n"
        "username: a@acme.test\nmax_connections: 5\n"
        "password: ENC[AES256_GCM,data:bm9wZQ==,iv:AAAAAAAAAAAAAAAAAAAAAA==,"
        "tag:AAAAAAAAAAAAAAAAAAAAAA==,type:str]\n"
    )
    monkeypatch.chdir(tmp_path)
    report = engine.validate((), engine.Options(providers_dir=str(root)))
    found = {d.rule_id: d for d in report.diagnostics}
    assert {"PROV004", "PROV005", "PROV006", "PROV008"} <= set(found), found
    assert "ACME Mail" in found["PROV004"].message and "2525" in found["PROV004"].hint
    assert found["PROV008"].message.endswith("ACME needs a token")


def test_bundled_facts_match_their_schema() -> None:
    """Ordinary runs trust the bundled facts; this is where they are checked."""
    assert catalog(check=True).keys() == PROVIDERS.keys()
