"""The SMTP Settings page with an OAuth2 config (XOAUTH2, Microsoft app-only through msal),
over HTTP (Starlette's TestClient, no browser): the form validates it like `smtpops validate`,
Test Connection gets a token from the sandbox's local HTTPS endpoint and signs in with it, and
neither the client secret nor a token reaches the page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from smtpops.oauth import token as tokens
from smtpops.probe.sandbox import OAUTH_CLIENT_ID, Sandbox
from tests.oauth.conftest import CLIENT_SECRET
from tests.oauth.test_end_to_end import _new_app_only
from tests.probe.conftest import make_sandbox  # noqa: F401 - the sandbox fixture
from tests.web.conftest import Page, git, make_app
from tests.web.test_http import client, post, stream


@pytest.fixture
def oauth_site(site: Any, make_sandbox, run_cli) -> tuple[Any, Sandbox]:  # noqa: F811
    """The page's repository with development/o365 signing in with XOAUTH2 at the sandbox."""
    tokens.forget()
    box = make_sandbox(oauth=True)
    box.issuer.clients[OAUTH_CLIENT_ID].secret = CLIENT_SECRET
    (site.root / "sandbox-ca.pem").write_bytes(Path(box.ca_file).read_bytes())
    run_cli("secrets", "updatekeys", expect=0)  # .sops.yaml encrypts the oauth secret parts
    _new_app_only(run_cli, box, ca_file="sandbox-ca.pem")
    site.commit("An OAuth2 config")
    return site, box


def site_root(page: Page) -> Path:
    return Path(page.work.root)


def _page(oauth_site: tuple[Any, Sandbox]) -> tuple[Page, Any, Sandbox]:
    site, box = oauth_site
    page = make_app(site.root)
    return page, client(page), box


def test_an_oauth_config_is_read_validated_and_tested_with_a_token(
    oauth_site: tuple[Any, Sandbox],
) -> None:
    page, c, box = _page(oauth_site)
    shown = c.get("/api/configs/development/o365")
    assert shown.status_code == 200, shown.text
    form = shown.json()["values"]
    assert form["auth_protocol"] == "XOAUTH2"
    body = {"env": "development", "name": "o365", "values": form}
    checked = post(c, page, "/api/validate", body)
    assert checked.status_code == 200 and checked.json()["errors"] == 0, checked.text
    res = post(c, page, "/api/test", body)
    items = stream(res)
    names = [i["name"] for i in items if i["type"] == "step"]
    assert "token" in names and names.index("token") < names.index("auth"), items[-1]
    assert items[-1]["type"] == "result" and items[-1]["passed"] is True, items[-1]
    issued = list(box.issuer.issued)
    assert issued  # the Token step asked the sandbox's endpoint
    body["values"] = {**form, "retries": "5"}
    assert stream(post(c, page, "/api/test", body))[-1]["passed"] is True
    saved = post(c, page, "/api/save", body)
    assert saved.status_code == 200, saved.text
    text = git(site_root(page), "show", f"{saved.json()['branch']}:configs/development/o365.yaml")
    assert "retries: 5" in text and "client_secret: ENC[" in text  # the oauth block kept
    assert "\npassword:" not in text
    page_text = shown.text + checked.text + res.text + saved.text + text
    leaked = [v for v in (CLIENT_SECRET, *issued) if v in page_text]
    assert leaked == [], "the client secret or a token reached the page"


def test_a_refused_token_is_explained_on_the_page(oauth_site: tuple[Any, Sandbox]) -> None:
    page, c, box = _page(oauth_site)
    box.issuer.clients[OAUTH_CLIENT_ID].secret_expired = True
    form = c.get("/api/configs/development/o365").json()["values"]
    res = post(c, page, "/api/test", {"env": "development", "name": "o365", "values": form})
    result = stream(res)[-1]
    assert result["type"] == "result" and result["passed"] is False, result
    assert "client secret has expired" in result["message"] and result["hint"]
    assert CLIENT_SECRET not in res.text


def test_a_typed_password_is_not_what_an_oauth_config_signs_in_with(
    oauth_site: tuple[Any, Sandbox],
) -> None:
    page, c, _ = _page(oauth_site)
    form = c.get("/api/configs/development/o365").json()["values"]
    body = {"env": "development", "name": "o365", "values": form, "password": "typed-by-mistake"}
    res = post(c, page, "/api/test", body)
    result = stream(res)[-1]
    assert result["type"] == "result" and result["passed"] is True, result  # the token signed in


def test_the_page_asks_no_password_of_an_oauth_config(oauth_site, page) -> None:
    """In the browser: an XOAUTH2 config shows no password field, says it signs in with its
    stored OAuth2 secret, and tests with a token; switched to a password method, the password
    field is back and Test Connection waits for a password."""
    import re

    from playwright.sync_api import expect  # waits for the page's state to settle

    from tests.web.test_browser import set_field, settle

    _, box = oauth_site
    page.wait_for_selector(".config")
    page.get_by_role("button", name=re.compile(r"^development\/o365, ")).click()
    page.locator("#form-title").filter(has_text="development/o365").wait_for()
    settle(page)
    password = page.locator("#f-password")
    note = page.locator("#s-password")
    test = page.get_by_role("button", name="Test Connection")
    expect(password).to_be_hidden()
    expect(note).to_contain_text("Signs in with OAuth2")
    expect(test).to_be_enabled()
    test.click()
    page.locator("#test-status").filter(has_text="Connection successful").wait_for()
    assert box.issuer.issued  # the page's test got its token from the sandbox's endpoint
    set_field(page, "auth_protocol", "LOGIN")
    settle(page)
    expect(password).to_be_visible()
    expect(note).to_contain_text("No password is set yet")
    expect(test).to_be_disabled()
    set_field(page, "auth_protocol", "XOAUTH2")
    settle(page)
    expect(password).to_be_hidden()
    expect(test).to_be_enabled()
