"""Every endpoint of the page over HTTP (Starlette's TestClient): the guard first (token,
Host, CSRF, Origin), then what each route does to the repository."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import CANARY, assert_no_canary
from tests.web.conftest import Page, git, make_app

GETS = ["/", "/api/configs", "/api/configs/development/relay", "/api/history/development/relay"]
POSTS = [
    "/api/validate",
    "/api/test",
    "/api/save",
    "/api/propose",
    "/api/activate",
    "/api/deactivate",
    "/api/delete",
    "/api/events",
]


@pytest.fixture
def app(site: Any) -> Page:
    return make_app(site.root)


def client(page: Page, *, login: bool = True, host: str | None = None) -> Any:
    from starlette.testclient import TestClient

    c = TestClient(page.app, base_url=host or page.base, follow_redirects=False)
    if login:
        res = c.get(f"/?token={page.gate.token}")
        assert res.status_code == 303, res.text
    return c


def csrf(page: Page) -> str:
    """The CSRF token of the page's newest session (what its meta tag holds)."""
    return list(page.gate.sessions.values())[-1].csrf


def post(c: Any, page: Page, path: str, body: dict[str, Any]) -> Any:
    return c.post(path, json=body, headers={"X-CSRF-Token": csrf(page)})


def values(site: Any, **changes: Any) -> dict[str, Any]:
    base = {
        "description": "relay relay",
        "provider": "",
        "host": "127.0.0.1",
        "port": str(site.server.port),
        "tls": "STARTTLS",
        "verify_certificate": True,
        "ca_file": "ca.pem",
        "auth_protocol": "LOGIN",
        "username": "crm@example.test",
        "from_address": "crm@example.test",
        "helo_hostname": "crm.example.test",
        "max_connections": "10",
        "retries": "3",
        "idle_timeout": "30",
        "wait_timeout": "5",
        "custom_headers": "",
    }
    return base | changes


def stream(res: Any) -> list[dict[str, Any]]:
    return [json.loads(line) for line in res.text.splitlines() if line.strip()]


# -- the guard -------------------------------------------------------------------------------
@pytest.mark.parametrize("path", GETS)
def test_no_token_no_page(app: Page, path: str) -> None:
    res = client(app, login=False).get(path)
    assert res.status_code == 403
    assert "access token" in res.text


@pytest.mark.parametrize("token", ["not-the-token", "%C3%A9t%C3%A9", "%00"])
def test_a_wrong_token_is_refused(app: Page, token: str) -> None:
    res = client(app, login=False).get(f"/?token={token}")
    assert res.status_code == 403 and "set-cookie" not in res.headers


def test_the_token_becomes_a_strict_httponly_cookie_and_leaves_the_url(app: Page) -> None:
    c = client(app, login=False)
    res = c.get(f"/?token={app.gate.token}")
    assert res.status_code == 303 and res.headers["location"] == "/"
    cookie = res.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and app.gate.token not in cookie
    page = c.get("/")
    assert page.status_code == 200
    assert "<h1>SMTP Settings</h1>" in page.text
    assert "Configure your SMTP server settings for email delivery" in page.text
    assert app.gate.token not in page.text
    headers = page.headers
    assert "script-src 'self'" in headers["content-security-policy"]
    assert headers["referrer-policy"] == "no-referrer" and headers["x-frame-options"] == "DENY"
    assert headers["cache-control"] == "no-store"


@pytest.mark.parametrize("host", ["http://evil.example:48123", "http://127.0.0.1:9", "http://x"])
def test_a_wrong_host_header_is_refused_even_with_a_session(app: Page, host: str) -> None:
    c = client(app)
    cookies = dict(c.cookies)
    other = client(app, login=False, host=host)
    for name, value in cookies.items():
        other.cookies.set(name, value)
    for path in ["/", "/api/configs", f"/?token={app.gate.token}"]:
        res = other.get(path)
        assert res.status_code == 403, path
        assert "127.0.0.1" in res.text


def test_localhost_is_accepted_as_host(app: Page) -> None:
    c = client(app, login=False, host=f"http://localhost:{app.gate.port}")
    assert c.get(f"/?token={app.gate.token}").status_code == 303


@pytest.mark.parametrize("path", POSTS)
def test_every_change_needs_the_csrf_token(app: Page, path: str) -> None:
    c = client(app)
    assert c.post(path, json={}).status_code == 403
    res = c.post(path, json={}, headers={"X-CSRF-Token": "wrong"})
    assert res.status_code == 403 and "CSRF" in res.text
    odd = c.post(path, json={}, headers={"X-CSRF-Token": "é".encode("latin-1")})
    assert odd.status_code == 403
    foreign = c.post(
        path, json={}, headers={"X-CSRF-Token": csrf(app), "Origin": "http://evil.example"}
    )
    assert foreign.status_code == 403 and "another site" in foreign.text
    ok = c.post(path, json={}, headers={"X-CSRF-Token": csrf(app), "Origin": app.base})
    assert ok.status_code not in (403, 404, 405), ok.text


@pytest.mark.parametrize("path", POSTS)
def test_a_session_from_another_gate_is_no_session(app: Page, site: Any, path: str) -> None:
    other = make_app(site.root, port=app.gate.port)
    c = client(other)
    theirs = csrf(other)
    mine = client(app, login=False)
    for name, value in c.cookies.items():
        mine.cookies.set(name, value)
    assert mine.post(path, json={}, headers={"X-CSRF-Token": theirs}).status_code == 403


# -- reading -----------------------------------------------------------------------------------
def test_the_list_shows_each_environment_with_its_configs_and_state(app: Page) -> None:
    data = client(app).get("/api/configs").json()
    envs = {e["name"]: e for e in data["environments"]}
    assert list(envs) == ["development", "staging", "production"]
    dev = {c["name"]: c for c in envs["development"]["configs"]}
    assert dev["relay"]["active"] is True and dev["backup"]["active"] is False
    assert envs["production"]["protected"] is True
    assert envs["production"]["approvers"] == "@it-security"
    assert data["branch"].startswith("smtpops-ui/") and data["started_from"] == "main"
    assert {c["name"] for c in envs["production"]["configs"]} == {"live"}


def test_a_config_is_read_without_its_password(app: Page) -> None:
    res = client(app).get("/api/configs/development/relay")
    data = res.json()
    assert data["password_set"] is True and "password" not in data["values"]
    assert data["values"]["retries"] == "3"  # the spec's default when the file is silent
    assert "ENC[" not in res.text and CANARY not in res.text
    assert client(app).get("/api/configs/development/nope").status_code == 404


def test_validation_uses_the_rule_engine_and_points_at_the_field(app: Page, site: Any) -> None:
    c = client(app)
    body = {"env": "development", "name": "relay", "values": values(site, port="70000")}
    data = post(c, app, "/api/validate", body).json()
    errors = [f for f in data["findings"] if f["severity"] == "error"]
    assert errors == [
        {
            "field": "port",
            "severity": "error",
            "rule": "PORT001",
            "message": "'port' is 70000; it must be between 1 and 65535",
            "hint": errors[0]["hint"],
        }
    ]
    assert errors[0]["hint"]
    body["values"] = values(site)
    clean = post(c, app, "/api/validate", body).json()
    assert clean["errors"] == 0
    warnings = {f["rule"] for f in clean["findings"] if f["severity"] == "warning"}
    assert "PORT002" in warnings  # the sandbox's port is not a usual SMTP port


def test_the_page_reports_exactly_what_smtpops_validate_reports(
    app: Page, site: Any, run_cli: Any
) -> None:
    c = client(app)
    form = values(site, port="25", tls="None", helo_hostname="localhost", retries="11")
    body = {"env": "development", "name": "backup", "values": form}
    page = post(c, app, "/api/validate", body).json()["findings"]
    path = site.root / "configs" / "development" / "backup.yaml"
    text = path.read_text()
    for key, value in (("port", 25), ("tls", "None"), ("helo_hostname", "localhost")):
        text = re.sub(rf"^{key}: .*$", f"{key}: {value}", text, flags=re.M)
    path.write_text(text + "retries: 11\n")
    cli = json.loads(run_cli("validate", str(path), "--format", "json").stdout)["diagnostics"]
    seen = sorted((f["rule"], f["severity"], f["message"], f["hint"]) for f in page)
    assert seen == sorted((d["rule"], d["severity"], d["message"], d["hint"]) for d in cli)
    assert {"PORT005", "LIMIT002"} <= {f["rule"] for f in page}


def test_a_new_config_without_password_is_reported(app: Page, site: Any) -> None:
    c = client(app)
    body = {"env": "development", "name": "fresh", "new": True, "values": values(site)}
    data = post(c, app, "/api/validate", body).json()
    assert {f["rule"] for f in data["findings"] if f["severity"] == "error"} == {"CRED001"}
    body["password_typed"] = True
    assert post(c, app, "/api/validate", body).json()["errors"] == 0


# -- test, save, propose ---------------------------------------------------------------------
def test_the_connection_test_streams_its_steps(app: Page, site: Any) -> None:
    c = client(app)
    body = {"env": "development", "name": "backup", "values": values(site, description="b")}
    res = post(c, app, "/api/test", body)
    assert res.status_code == 200 and res.headers["content-type"].startswith("application/x-ndjson")
    items = stream(res)
    assert items[0]["type"] == "plan"
    assert [s["name"] for s in items[0]["steps"]][:3] == ["dns", "connect", "greeting"]
    steps = [i for i in items if i["type"] == "step"]
    assert {s["name"] for s in steps} >= {"dns", "connect", "tls", "certificate", "auth"}
    assert items[-1]["type"] == "result" and items[-1]["passed"] is True, items[-1]
    assert_no_canary(res.text)


def test_a_failed_test_says_why_in_plain_words(app: Page, site: Any) -> None:
    c = client(app)
    body = {
        "env": "development",
        "name": "backup",
        "values": values(site),
        "password": "wrong-password",
    }
    items = stream(post(c, app, "/api/test", body))
    result = items[-1]
    assert result["passed"] is False and result["step"] == "Authentication"
    assert "Authentication failed" in result["message"] and result["hint"]


def test_a_config_with_errors_is_not_tested(app: Page, site: Any) -> None:
    body = {"env": "development", "name": "backup", "values": values(site, port="0")}
    items = stream(post(client(app), app, "/api/test", body))
    assert [i["type"] for i in items] == ["refused"]


def _snapshot_branch(site: Any) -> str:
    return git(site.root, "rev-parse", "main").strip()


def test_save_needs_a_passing_test_of_exactly_these_values(app: Page, site: Any) -> None:
    c = client(app)
    body = {"env": "development", "name": "backup", "values": values(site, retries="5")}
    refused = post(c, app, "/api/save", body)
    assert refused.status_code == 400 and "test the connection first" in refused.json()["error"]
    assert stream(post(c, app, "/api/test", body))[-1]["passed"] is True
    other = post(c, app, "/api/save", {**body, "values": values(site, retries="6")})
    assert other.status_code == 400  # tested 5, not 6
    before = _snapshot_branch(site)
    saved = post(c, app, "/api/save", body)
    assert saved.status_code == 200, saved.text
    data = saved.json()
    assert data["branch"].startswith("smtpops-ui/") and data["commit"]
    assert _snapshot_branch(site) == before  # the starting branch never moves
    assert git(site.root, "symbolic-ref", "--short", "HEAD").strip() == "main"
    text = git(site.root, "show", f"{data['branch']}:configs/development/backup.yaml")
    assert "retries: 5" in text and "password: ENC[" in text
    message = git(site.root, "log", "-1", "--format=%B", data["branch"])
    assert "Smtpops-Action: edit" in message and "Smtpops-Test: passed" in message
    assert "## smtpops review" in data["review"] and "retries" in data["review"]
    assert data["security_sensitive"] is False
    assert (site.root / "configs/development/backup.yaml").read_text().count("retries: 5") == 0


def test_a_new_config_is_saved_encrypted_and_flagged_for_review(app: Page, site: Any) -> None:
    c = client(app)
    body = {
        "env": "development",
        "name": "fresh",
        "new": True,
        "values": values(site, provider="custom"),
        "password": CANARY,
    }
    assert stream(post(c, app, "/api/test", body))[-1]["passed"] is True
    res = post(c, app, "/api/save", body)
    assert res.status_code == 200, res.text
    data = res.json()
    assert_no_canary(res.text)
    committed = git(site.root, "show", f"{data['branch']}:configs/development/fresh.yaml")
    assert "password: ENC[AES256_GCM," in committed and "sops:" in committed
    assert_no_canary(committed, git(site.root, "log", "-p", "--all"))
    for path in Path(site.root).rglob("*"):
        if path.is_file():
            assert CANARY.encode() not in path.read_bytes(), path
    assert data["security_sensitive"] is True  # a new config: host, username, password …
    again = post(c, app, "/api/save", body)
    assert again.status_code == 400 and "already exists" in again.json()["error"]
    names = [e["event"] for e in page_events(site)]
    assert "guided_setup_completed" in names and "it_approval_requested" in names
    assert "smtp_config_created" not in names  # git history tells that one


def test_propose_without_a_remote_says_what_to_do(app: Page, site: Any) -> None:
    c = client(app)
    nothing = post(c, app, "/api/propose", {})
    assert nothing.status_code == 409 and "nothing to propose" in nothing.json()["error"]
    _save_backup(c, app, site)
    data = post(c, app, "/api/propose", {}).json()
    assert data["pushed"] is False and data["branch"] in data["message"]
    assert c.get("/api/configs").json()["commits"] == 1


def _save_backup(c: Any, app: Page, site: Any) -> dict[str, Any]:
    body = {"env": "development", "name": "backup", "values": values(site, retries="4")}
    assert stream(post(c, app, "/api/test", body))[-1]["passed"] is True
    res = post(c, app, "/api/save", body)
    assert res.status_code == 200, res.text
    data: dict[str, Any] = res.json()
    return data


def test_propose_pushes_the_work_branch(app: Page, site: Any, tmp_path: Path) -> None:
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    git(site.root, "remote", "add", "origin", str(remote))
    c = client(app)
    saved = _save_backup(c, app, site)
    data = post(c, app, "/api/propose", {}).json()
    assert data["pushed"] is True and data["remote"] == "origin"
    assert git(remote, "rev-parse", saved["branch"]).strip() == saved["commit"]
    assert data["link"] is None  # a plain folder remote has no pull-request page


# -- activate, delete, history, events -------------------------------------------------------
def test_activation_in_production_names_who_must_approve(app: Page, site: Any) -> None:
    c = client(app)
    res = post(c, app, "/api/activate", {"env": "production", "name": "live"})
    assert res.status_code == 409
    assert "@it-security" in res.json()["error"] and "protected" in res.json()["error"]
    assert site.active("production") == []


def test_activation_deploys_on_the_work_branch(app: Page, site: Any) -> None:
    c = client(app)
    res = post(c, app, "/api/activate", {"env": "development", "name": "backup"})
    assert res.status_code == 200, res.text
    data = res.json()
    assert data["message"] == "SMTP configuration activated successfully"
    assert "Smtpops-Action: deploy" in git(site.root, "log", "-1", "--format=%B", data["branch"])
    assert site.active("development") == ["relay"]  # the user's checkout is untouched
    listed = client(app).get("/api/configs").json()["environments"][0]["configs"]
    assert {c["name"]: c["active"] for c in listed} == {"backup": True, "relay": False}


def test_switching_off_the_active_config_commits_on_the_work_branch(app: Page, site: Any) -> None:
    c = client(app)
    refused = post(c, app, "/api/deactivate", {"env": "development", "name": "backup"})
    assert refused.status_code == 400 and "not active" in refused.json()["error"]
    res = post(c, app, "/api/deactivate", {"env": "development", "name": "relay"})
    assert res.status_code == 200, res.text
    message = git(site.root, "log", "-1", "--format=%B", res.json()["branch"])
    assert "Smtpops-Action: deactivate" in message
    assert site.active("development") == ["relay"]  # the user's checkout is untouched


def test_production_cannot_be_switched_off_from_the_page(site: Any) -> None:
    site.add_config("production", "on", active=True)
    app = make_app(site.root)
    res = post(client(app), app, "/api/deactivate", {"env": "production", "name": "on"})
    assert res.status_code == 409 and "@it-security" in res.json()["error"]


def test_send_test_email_delivers_one_message(app: Page, site: Any) -> None:
    box: Any = site.server.box
    before = len(box.messages)
    body = {
        "env": "development",
        "name": "backup",
        "values": values(site, custom_headers="X-Source-System: SMART360"),
        "send_to": "admin@example.test",
    }
    items = stream(post(client(app), app, "/api/test", body))
    assert items[-1]["passed"] is True and items[-1]["sent_to"] == "admin@example.test"
    assert len(box.messages) == before + 1
    received = box.messages[-1]
    assert received.rcpt_tos == ("admin@example.test",)
    assert received.message["X-Source-System"] == "SMART360"


def test_delete_refuses_the_active_config_and_removes_an_inactive_one(app: Page, site: Any) -> None:
    c = client(app)
    refused = post(c, app, "/api/delete", {"env": "development", "name": "relay"})
    assert refused.status_code == 409 and "active config" in refused.json()["error"]
    ok = post(c, app, "/api/delete", {"env": "development", "name": "backup"})
    assert ok.status_code == 200, ok.text
    branch = ok.json()["branch"]
    assert "backup.yaml" not in git(site.root, "ls-tree", "-r", "--name-only", branch)
    only = post(c, app, "/api/delete", {"env": "development", "name": "relay"})
    assert only.status_code == 409


def test_history_is_the_audit_trail(app: Page, site: Any) -> None:
    c = client(app)
    _save_backup(c, app, site)
    data = c.get("/api/history/development/backup").json()
    first = data["entries"][0]
    assert first["action"] == "edit" and first["test"].startswith("passed")
    fields = {f["field"]: f for f in first["changes"][0]["fields"]}
    assert fields["retries"]["new"] == "4"


def page_events(site: Any) -> list[dict[str, Any]]:
    from smtpops.events.collect import read_log

    return list(read_log(str(site.root / ".smtpops" / "events.jsonl")))


def test_the_page_records_the_spec_events(app: Page, site: Any) -> None:
    c = client(app)
    c.get("/")
    ok = post(
        c,
        app,
        "/api/events",
        {
            "event": "provider_template_selected",
            "properties": {"template_type": "gmail", "password": "not a property"},
        },
    )
    assert ok.status_code == 200
    assert post(c, app, "/api/events", {"event": "smtp_config_activated"}).status_code == 400
    bad = {"env": "development", "name": "relay", "values": values(site, port="0")}
    post(c, app, "/api/validate", bad)
    post(c, app, "/api/validate", bad)  # the same errors again: recorded once
    found = page_events(site)
    names = [e["event"] for e in found]
    assert names.count("smtp_settings_accessed") == 1
    assert names.count("error_message_displayed") == 1
    shown = next(e for e in found if e["event"] == "error_message_displayed")
    assert shown["error_category"] == "PORT" and shown["configuration_id"] == "development/relay"
    picked = next(e for e in found if e["event"] == "provider_template_selected")
    assert picked["template_type"] == "gmail" and picked["timestamp"]
    assert "password" not in picked  # only the spec's properties are kept
    from smtpops.services.events import events as every_event

    listed = [e["event"] for e in every_event(str(site.root))]
    assert {"smtp_settings_accessed", "provider_template_selected"} <= set(listed)


def test_bad_requests_are_clear_errors(app: Page) -> None:
    c = client(app)
    res = c.post("/api/validate", content=b"{not json", headers={"X-CSRF-Token": csrf(app)})
    assert res.status_code == 400 and "JSON" in res.json()["error"]
    res = post(c, app, "/api/validate", {"env": "nowhere", "name": "x", "values": {}})
    assert res.status_code == 400 and "environment" in res.json()["error"]
    res = post(c, app, "/api/validate", {"env": "../x", "name": "y", "values": {}})
    assert res.status_code == 400


def test_closing_keeps_a_branch_with_commits_and_drops_an_empty_one(site: Any) -> None:
    empty = make_app(site.root).work
    assert empty.path and os.path.isdir(empty.path)
    empty.close()
    assert git(site.root, "branch", "--list", empty.branch) == ""
    app = make_app(site.root)
    saved = _save_backup(client(app), app, site)
    app.work.close()
    assert app.work.path is None
    assert git(site.root, "rev-parse", saved["branch"]).strip() == saved["commit"]
    assert "smtpops-ui" not in git(site.root, "worktree", "list")


def test_a_save_never_overwrites_a_file_changed_since_it_was_opened(app: Page, site: Any) -> None:
    c = client(app)
    opened = c.get("/api/configs/development/backup").json()["version"]
    body = {
        "env": "development",
        "name": "backup",
        "values": values(site, retries="7"),
        "version": opened,
    }
    assert stream(post(c, app, "/api/test", body))[-1]["passed"] is True
    other = {**body, "values": values(site, retries="8")}
    assert stream(post(c, app, "/api/test", other))[-1]["passed"] is True
    assert post(c, app, "/api/save", other).status_code == 200  # another window saved first
    refused = post(c, app, "/api/save", body)
    assert refused.status_code == 409 and "changed since you opened it" in refused.json()["error"]
    text = git(site.root, "show", f"{app.work.branch}:configs/development/backup.yaml")
    assert "retries: 8" in text


def test_an_oversized_request_is_refused(app: Page) -> None:
    c = client(app)
    res = c.post(
        "/api/validate",
        content=b"x" * 1_000_001,
        headers={"X-CSRF-Token": csrf(app), "Content-Type": "application/json"},
    )
    assert res.status_code == 413


def test_a_pinned_environment_and_its_config_are_marked(site: Any) -> None:
    from smtpops.gitops import pins

    pin = pins.Pin(
        environment="development",
        config="development/relay",
        by="Ada Admin",
        at="2026-12-01T20:00:00+00:00",
        reason="rollback after a failed deploy",
    )
    data = pins.render({"development": pin})
    assert data is not None
    (site.root / "configs" / ".pins.yaml").write_bytes(data)
    site.commit("Pin development")
    app = make_app(site.root)
    envs = {e["name"]: e for e in client(app).get("/api/configs").json()["environments"]}
    assert envs["development"]["pinned_to"] == "development/relay"
    states = {c["name"]: c["pinned"] for c in envs["development"]["configs"]}
    assert states == {"backup": False, "relay": True}


def test_the_stored_password_is_not_sent_to_a_server_it_was_not_sealed_for(
    app: Page, site: Any
) -> None:
    c = client(app)
    body = {"env": "development", "name": "backup", "values": values(site, username="x@y.test")}
    items = stream(post(c, app, "/api/test", body))
    assert [i["type"] for i in items] == ["plan", "error"], items
    assert "sealed" in items[-1]["error"] and "username" in items[-1]["error"]
    assert "smtpops secrets reseal" in items[-1]["hint"]
    assert not any(i["type"] == "step" for i in items)  # refused before connecting
    assert_no_canary(json.dumps(items))
