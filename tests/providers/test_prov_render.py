"""Rendering: every template gives a complete config that validates clean, and the user's
values always win over the template's."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from prov_helpers import ENCRYPTED_PASSWORD, SAMPLE_PARAMS, sample_username, write_config

from smtpops import templating
from smtpops.errors import UsageError
from smtpops.providers import catalog

PROVIDERS = catalog()
OVERRIDES = {
    "description": "Outage notices: #1 priority",
    "helo_hostname": "crm.example-utility.com",
    "max_connections": 2,
    "retries": 5,
    "idle_timeout": "45s",
    "wait_timeout": 90,
    "custom_headers": "X-Company: Example Utility\nX-Department: Billing",
}


def _render(pid: str, values: dict | None = None, params: dict | None = None) -> str:
    p = PROVIDERS[pid]
    merged = {**sample_username(p), **(values or {})}
    return templating.render(
        p, f"{pid}-test", merged, {**SAMPLE_PARAMS.get(pid, {}), **(params or {})}
    )


@pytest.mark.parametrize("pid", sorted(PROVIDERS))
def test_every_provider_renders_and_validates_clean(pid: str, project: Path, validate) -> None:
    text = _render(pid)
    data = yaml.safe_load(text)
    assert data["provider"] == pid and data["active"] is False
    assert data["name"] == f"{pid}-test"
    path = write_config(project, text + ENCRYPTED_PASSWORD, name=f"{pid}-test")
    code, diagnostics = validate(str(path))
    errors = [d for d in diagnostics if d["severity"] == "error"]
    assert code == 0 and not errors, diagnostics
    # provider warnings only where the provider's facts declare a caution
    prov_warnings = {
        d["rule"]
        for d in diagnostics
        if d["rule"].startswith("PROV") and d["severity"] == "warning"
    }
    assert prov_warnings <= {"PROV008"}, diagnostics
    if "PROV008" in prov_warnings:
        assert any(n.severity == "warning" for n in PROVIDERS[pid].notices)


@pytest.mark.parametrize("pid", sorted(PROVIDERS))
def test_user_values_always_win(pid: str) -> None:
    values = {**OVERRIDES, "port": 2525, "tls": "STARTTLS", "verify_certificate": False}
    data = yaml.safe_load(_render(pid, values))
    for field, value in values.items():
        assert data[field] == value, field


def test_an_override_replaces_the_template_line_and_its_comment() -> None:
    text = _render("office365", {"max_connections": 2})
    assert "max_connections: 2\n" in text
    assert "allows 3 connections" not in text
    untouched = _render("office365")
    assert "# Microsoft 365 allows 3 connections per mailbox at once.\nmax_connections: 3\n" in (
        untouched
    )
    assert _render("office365", {"name": "x"}).startswith("# SMTP AUTH must be enabled")


def test_parameters_choose_the_host() -> None:
    host = lambda pid, **params: yaml.safe_load(_render(pid, params=params))["host"]  # noqa: E731
    assert host("zoho") == "smtp.zoho.com"
    assert host("zoho", region="eu", account="organization") == "smtppro.zoho.eu"
    assert host("zoho", region="ca") == "smtp.zohocloud.ca"
    assert host("mailgun", region="eu") == "smtp.eu.mailgun.org"
    assert host("amazon-ses", region="ap-southeast-2") == "email-smtp.ap-southeast-2.amazonaws.com"
    assert host("sparkpost", region="eu") == "smtp.eu.sparkpostmail.com"
    assert host("smtp2go", region="au") == "mail-au.smtp2go.com"
    assert host("postmark", stream="broadcast") == "smtp-broadcasts.postmarkapp.com"
    assert host("gmx", site="net") == "mail.gmx.net"


def test_missing_values_are_named() -> None:
    with pytest.raises(UsageError, match="username"):
        templating.render(PROVIDERS["gmail"], "x", {}, {})
    with pytest.raises(UsageError, match="region"):
        templating.render(PROVIDERS["amazon-ses"], "x", {"username": "u"}, {})
    assert templating.missing(PROVIDERS["custom"], "x", {}, {}) == ["host", "username"]


def test_document_has_modeline_relative_to_the_file(tmp_path: Path) -> None:
    path = tmp_path / "configs" / "production" / "a.yaml"
    text = templating.document("name: a\n", path=str(path), repo_root=str(tmp_path), header="Hi\n")
    assert text.splitlines()[:2] == [
        "# yaml-language-server: $schema=../../schemas/smtp-config.schema.json",
        "# Hi",
    ]


@settings(max_examples=60, deadline=None, database=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=40))
def test_any_user_text_round_trips(value: str) -> None:
    data = yaml.safe_load(_render("gmail", {"username": value, "description": value}))
    assert data["username"] == value and data["description"] == value


def end_of_line_comments(text: str) -> list[str]:
    """Lines where a comment follows a value (sops moves those onto a line of their own the
    first time it rewrites the file), found from the YAML scanner's token positions."""
    last_end: dict[int, int] = {}
    for token in yaml.scan(text):
        mark = token.end_mark
        if token.start_mark.line == mark.line and mark.index > token.start_mark.index:
            last_end[mark.line] = max(last_end.get(mark.line, 0), mark.column)
    lines = text.splitlines()
    return [lines[n] for n, end in last_end.items() if n < len(lines) and "#" in lines[n][end:]]


def test_the_comment_finder_finds_what_sops_would_move() -> None:
    assert end_of_line_comments("a: 1  # moved\n# kept\nb: '#not a comment'\n") == ["a: 1  # moved"]


@pytest.mark.parametrize("pid", sorted(PROVIDERS))
def test_templates_write_no_end_of_line_comments(pid: str) -> None:
    text = _render(pid, OVERRIDES)
    assert end_of_line_comments(text) == [], text
