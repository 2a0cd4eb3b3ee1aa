"""The page in a real browser (Debian's Chromium, headless, driven by Playwright).

With ``SMTPOPS_SCREENSHOTS=DIR`` each step also leaves a PNG in DIR; the README's
screenshots come from ``docs/screenshots/regenerate.sh``, which runs these tests that way.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from tests.conftest import CANARY, assert_no_canary
from tests.web.conftest import git

OFFICE365 = {  # the spec's sample, section 8
    "host": "smtp.office365.com",
    "port": "587",
    "auth_protocol": "LOGIN",
    "username": "smart360@utilitycompany.onmicrosoft.com",
    "password": "secure-password",
    "provider": "office365",
    "helo_hostname": "localhost",
    "tls": "STARTTLS",
    "max_connections": "5",
    "retries": "2",
    "idle_timeout": "45",
    "wait_timeout": "60",
    "custom_headers": "X-Source-System: SMART360\nX-Environment: Production",
}


def shot(page: Any, name: str, at: str | None = None, block: str = "center") -> None:
    """A screenshot of the window (scrolled to ``at``) when SMTPOPS_SCREENSHOTS names a folder."""
    folder = os.environ.get("SMTPOPS_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        if at:
            page.locator(at).first.evaluate(f"e => e.scrollIntoView({{block: '{block}'}})")
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=False)


def field(page: Any, name: str) -> Any:
    return page.locator(f'.field[data-field="{name}"]')


def set_field(page: Any, name: str, value: str) -> None:
    control = page.locator(f"#f-{name}")
    tag = control.evaluate("e => e.tagName")
    if tag == "SELECT":
        control.select_option(value)
    else:
        control.fill(value)


def settle(page: Any) -> None:
    """Wait until the validation that typing started has answered."""
    page.locator("body:not([data-checking='yes'])").wait_for(state="attached")


def open_config(page: Any, ref: str, state: str) -> None:
    """Click ``ref`` in the list and wait until the form shows it (and has been checked)."""
    page.get_by_role("button", name=f"{ref}, {state}").click()
    page.locator("#form-title").filter(has_text=ref).wait_for()
    settle(page)


def new_config(page: Any, env: str, name: str) -> None:
    page.get_by_role("button", name="+ Add New").click()
    page.locator("#f-env").select_option(env)
    page.get_by_label("Name", exact=True).fill(name)


def test_the_office365_sample_field_by_field_then_a_wrong_port(page: Any) -> None:
    page.wait_for_selector(".config")
    assert page.locator("h1").inner_text() == "SMTP Settings"
    shot(page, "01-list")
    new_config(page, "staging", "office365-sample")
    assert page.get_by_label("Host", exact=True).get_attribute("placeholder") == "smtp.example.com"
    assert (
        page.get_by_label("Username", exact=True).get_attribute("placeholder")
        == "your-email@example.com"
    )
    assert page.get_by_label("Port", exact=True).input_value() == "587"
    assert page.get_by_label("HELO Hostname").get_attribute("placeholder") == "localhost"
    assert page.locator("#f-provider option").first.inner_text() == "Select email provider"
    for name, value in OFFICE365.items():
        set_field(page, name, value)
    settle(page)
    assert page.locator(".field.invalid").count() == 0
    warnings = page.locator("#findings-list").inner_text()
    assert "allows 3 connections" in warnings  # PROV006, shown apart from errors
    assert "PROV006" in warnings and "LIMIT005" in warnings
    assert "REPO007" not in warnings  # the modeline names the repository's schema copy
    assert page.locator("#d-tls").inner_text().startswith("Security: high")
    assert "Security: medium" in page.locator("#d-auth_protocol").inner_text()
    assert page.get_by_role("button", name="Save").is_disabled()
    assert "Test Connection first" in page.locator("#save-why").inner_text()
    assert page.locator("#f-password").get_attribute("type") == "password"
    page.get_by_role("button", name="Show").click()
    assert page.locator("#f-password").get_attribute("type") == "text"
    page.get_by_role("button", name="Hide").click()
    shot(page, "02-office365-sample", at="#findings")
    page.locator("#f-env").select_option("production")  # strict: the same sample, judged harder
    settle(page)
    limit = field(page, "max_connections")
    assert "invalid" in (limit.get_attribute("class") or "")
    assert "allows 3 connections" in limit.locator(".error").inner_text()
    assert "HELO003" in page.locator("#findings-list").inner_text()
    page.locator("#f-env").select_option("staging")
    settle(page)
    assert page.locator(".field.invalid").count() == 0

    page.get_by_label("Port", exact=True).fill("70000")
    settle(page)
    port = field(page, "port")
    assert "invalid" in (port.get_attribute("class") or "")
    assert port.locator(".error").inner_text().startswith("'port' is 70000; it must be between 1")
    assert "How to fix" in port.locator(".error").inner_text()
    assert page.get_by_label("Port", exact=True).get_attribute("aria-invalid") == "true"
    assert page.get_by_role("button", name="Test Connection").is_disabled()
    shot(page, "03-wrong-port", at='.field[data-field="port"]')
    page.get_by_label("Port", exact=True).fill("65535")
    settle(page)
    assert page.get_by_role("button", name="Increase Port").is_disabled()
    assert page.get_by_role("button", name="Decrease Port").is_enabled()
    page.get_by_role("button", name="Decrease Port").click()
    assert page.get_by_label("Port", exact=True).input_value() == "65534"
    page.get_by_label("Retries", exact=True).fill("0")
    page.get_by_label("Port", exact=True).fill("587")
    settle(page)
    assert page.get_by_role("button", name="Decrease Retries").is_disabled()
    assert page.locator(".field.invalid").count() == 0


def test_gmail_fills_the_server_but_not_a_typed_helo_name(page: Any) -> None:
    page.wait_for_selector(".config")
    new_config(page, "development", "gmail-alerts")
    page.get_by_label("HELO Hostname").fill("mail.utilitycompany.com")
    page.get_by_label("Port", exact=True).fill("2525")
    page.get_by_label("Port", exact=True).fill("587")  # typed: the provider must keep it
    page.get_by_label("TLS", exact=True).select_option("SSL/TLS")
    page.locator("#f-tls").evaluate("e => e.blur()")
    page.get_by_label("Email Provider").select_option("gmail")
    settle(page)
    assert page.get_by_label("Host", exact=True).input_value() == "smtp.gmail.com"
    assert page.get_by_label("HELO Hostname").input_value() == "mail.utilitycompany.com"
    assert page.get_by_label("TLS", exact=True).input_value() == "SSL/TLS"  # typed, kept
    page.once("dialog", lambda dialog: dialog.accept())  # "You have unsaved changes…"
    page.get_by_role("button", name="+ Add New").click()
    page.get_by_label("HELO Hostname").fill("mail.utilitycompany.com")
    page.get_by_label("Email Provider").select_option("gmail")
    settle(page)
    assert page.get_by_label("Host", exact=True).input_value() == "smtp.gmail.com"
    assert page.get_by_label("Port", exact=True).input_value() == "587"
    assert page.get_by_label("TLS", exact=True).input_value() == "STARTTLS"
    assert page.get_by_label("HELO Hostname").input_value() == "mail.utilitycompany.com"
    assert "app password" in page.locator("#d-provider").inner_text()
    shot(page, "04-gmail-picked", at='.field[data-field="host"]')


def test_create_test_save_a_config_and_find_the_commit(page: Any, served: Any, site: Any) -> None:
    page.wait_for_selector(".config")
    new_config(page, "development", "office365-relay")
    sample = OFFICE365 | {
        "provider": "custom",
        "host": "127.0.0.1",
        "port": str(site.server.port),
        "username": "crm@example.test",
        "password": CANARY,
        "helo_hostname": "crm.example.test",
        "ca_file": "ca.pem",
        "wait_timeout": "5",
        "idle_timeout": "45",
    }
    for name, value in sample.items():
        set_field(page, name, value)
    settle(page)
    assert page.locator(".field.invalid").count() == 0
    page.get_by_role("button", name="Test Connection").click()
    status = page.locator("#test-status")
    status.filter(has_text="Connection successful").wait_for()
    steps = page.locator("#test-steps li")
    assert steps.count() >= 8
    assert page.locator("#test-steps li.step-passed").count() >= 7
    assert "Authentication" in page.locator("#test-steps").inner_text()
    shot(page, "05-test-passed", at="#test-panel", block="start")
    save = page.get_by_role("button", name="Save")
    assert save.is_enabled()
    save.click()
    page.locator("#message").filter(has_text="Saved: commit").wait_for()
    shot(page, "06-saved-review", at="#message", block="start")
    assert "Security-sensitive changes" in page.locator("#approval").inner_text()
    review = page.locator("#review-body")
    assert "smtpops review" in review.locator("h4").inner_text()
    assert review.locator("li code").filter(has_text="max_connections: (not set) → 5").count() == 1
    assert "<" not in review.inner_text()  # the Markdown is shown as text, never as HTML
    assert "## smtpops review" in page.locator("#review-md").text_content()
    assert page.locator("#f-password").input_value() == ""
    assert page.locator("#f-password").get_attribute("placeholder") == "set, unchanged"
    branch = served.work.branch
    committed = git(site.root, "show", f"{branch}:configs/development/office365-relay.yaml")
    assert re.search(r"^password: ENC\[AES256_GCM,", committed, re.M)
    assert "max_connections: 5" in committed and "X-Source-System: SMART360" in committed
    assert git(site.root, "symbolic-ref", "--short", "HEAD").strip() == "main"
    assert not (site.root / "configs/development/office365-relay.yaml").exists()
    assert_no_canary(git(site.root, "log", "-p", "--all"), page.content())
    for path in site.root.rglob("*"):
        if path.is_file():
            assert CANARY.encode() not in path.read_bytes(), path
    storage = page.evaluate("() => [localStorage.length, sessionStorage.length]")
    assert storage == [0, 0]
    cookies = page.context.cookies()
    assert [c["name"] for c in cookies] == [f"smtpops_session_{served.gate.port}"]
    assert cookies[0]["httpOnly"] is True and cookies[0]["sameSite"] == "Strict"
    assert "token" not in page.url
    page.get_by_role("button", name="Propose").click()
    page.locator("#message").filter(has_text="no remote").wait_for()
    page.get_by_role("button", name="History").click()
    dialog = page.get_by_role("dialog", name="History of development/office365-relay")
    dialog.wait_for()
    assert "create" in dialog.inner_text() and "max_connections" in dialog.inner_text()
    assert "Test: passed" in dialog.inner_text()
    shot(page, "10-history")
    dialog.get_by_role("button", name="Close").click()


def test_changed_fields_are_highlighted_and_leaving_warns(page: Any) -> None:
    page.wait_for_selector(".config")
    open_config(page, "development/backup", "inactive")
    page.get_by_role("button", name="Increase Retries").click()
    settle(page)
    assert page.get_by_label("Retries", exact=True).input_value() == "4"
    assert "changed" in (field(page, "retries").get_attribute("class") or "")
    assert "changed" not in (field(page, "host").get_attribute("class") or "")
    page.get_by_label("Wait Timeout", exact=True).focus()
    page.keyboard.press("ArrowUp")  # the steppers work from the keyboard too
    assert page.get_by_label("Wait Timeout", exact=True).input_value() == "6"
    page.keyboard.press("ArrowDown")
    unlabelled = page.evaluate(
        """() => [...document.querySelectorAll('input, select, textarea, button')]
              .filter(e => !e.closest('[hidden]') && !e.labels?.length
                           && !e.getAttribute('aria-label') && !e.textContent.trim())
              .map(e => e.id || e.outerHTML)"""
    )
    assert unlabelled == []
    shot(page, "07-changed-field", at='.field[data-field="retries"]')
    seen: list[str] = []

    def dismiss(dialog: Any) -> None:
        seen.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", dismiss)
    page.get_by_role("button", name="development/relay, active").click()
    page.wait_for_timeout(200)
    assert seen == ["confirm: You have unsaved changes. Leave them?"]
    assert page.locator("#form-title").inner_text() == "development/backup"
    page.close(run_before_unload=True)  # dismissing the warning keeps the page open
    for _ in range(50):
        if any(s.startswith("beforeunload") for s in seen):
            break
        page.wait_for_timeout(100)
    assert any(s.startswith("beforeunload") for s in seen), seen


def test_delete_is_refused_for_the_active_config_and_asks_first(page: Any, served: Any) -> None:
    page.wait_for_selector(".config")
    open_config(page, "development/relay", "active")
    page.get_by_role("button", name="Delete this configuration").click()
    message = page.locator("#message")
    message.filter(has_text="is the active config").wait_for()
    assert "Deploy another config first" in message.inner_text()
    shot(page, "08-delete-refused")
    asked: list[str] = []

    def accept(dialog: Any) -> None:
        asked.append(dialog.message)
        dialog.accept()

    page.on("dialog", accept)
    open_config(page, "development/backup", "inactive")
    page.get_by_role("button", name="Delete this configuration").click()
    message.filter(has_text="Deleted development/backup").wait_for()
    assert asked and asked[0].startswith("Delete development/backup?")
    assert page.get_by_role("button", name="development/backup, inactive").count() == 0


def test_activation_from_the_switch_and_who_approves_production(page: Any, site: Any) -> None:
    page.wait_for_selector(".config")
    page.on("dialog", lambda dialog: dialog.accept())
    open_config(page, "production/live", "inactive")
    page.get_by_role("switch", name="Active").click()
    message = page.locator("#message")
    message.filter(has_text="production is protected").wait_for()
    assert "@it-security" in message.inner_text()
    shot(page, "09-production-needs-approval", at="#message")
    open_config(page, "development/backup", "inactive")
    switch = page.get_by_role("switch", name="Active")
    assert switch.get_attribute("aria-checked") == "false"
    switch.click()
    message.filter(has_text="SMTP configuration activated successfully").wait_for()
    assert switch.get_attribute("aria-checked") == "true"
    assert page.get_by_role("button", name="development/relay, inactive").count() == 1
