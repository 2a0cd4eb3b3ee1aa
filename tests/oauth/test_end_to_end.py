"""End to end with OAuth2, as a user types it: keys init → new --auth oauth → validate →
test (Token step + AUTH XOAUTH2) → deploy → token, against the sandbox (aiosmtpd on loopback)
and its local HTTPS token endpoint, reached through msal (Microsoft app-only) and google-auth
(a service account). The client secret, the key and every access token stay out of every
output, log, argv, file and commit."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from smtpops.encryption import runner
from smtpops.oauth import token as tokens
from smtpops.probe.sandbox import OAUTH_CLIENT_ID, OAUTH_SCOPE, OAUTH_TENANT, Sandbox
from tests.gitops.conftest import AUTHOR, git
from tests.oauth.conftest import CLIENT_SECRET, SA_EMAIL, service_account


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, list[str]]:
    """An empty git repository (the working directory) with a key outside it, and a record
    of every sops command line."""
    root = tmp_path / "crm-smtp"
    (root / "configs").mkdir(parents=True)
    monkeypatch.chdir(root)
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.name", AUTHOR[0])
    git(root, "config", "user.email", AUTHOR[1])
    monkeypatch.setenv("SOPS_AGE_KEY_FILE", str(tmp_path / "keys.txt"))
    argv: list[str] = []
    real = runner.spawn

    def recording(args, stdin, cwd):  # type: ignore[no-untyped-def]
        argv.append(" ".join(args))
        return real(args, stdin, cwd)

    monkeypatch.setattr(runner, "spawn", recording)
    tokens.forget()
    return root, argv


def _no_leak(root: Path, box: Sandbox, argv: list[str], outputs: list[Any], *secrets: str) -> None:
    issued = list(box.issuer.issued)
    assert issued, "no token was ever issued"
    forbidden = [*secrets, *issued]
    texts = [o.output for o in outputs] + argv
    texts.append(
        subprocess.run(
            ["git", "log", "-p", "--all"], cwd=root, capture_output=True, text=True, check=True
        ).stdout
    )
    for path in root.rglob("*"):
        if path.is_file() and ".git" not in path.parts:
            texts.append(path.read_text(encoding="utf-8", errors="replace"))
    for text in texts:
        for value in forbidden:
            assert value not in text, "a secret or token leaked"


def _new(
    run_cli: Callable[..., Any],
    box: Sandbox,
    name: str,
    oauth: dict[str, str],
    secret: str,
    ca_file: str = "ca.pem",
    env: str = "development",
) -> Any:
    args = [
        "new",
        name,
        "--env",
        env,
        "--provider",
        "custom",
        "--username",
        box.username,
        "--set",
        "host=localhost",
        "--set",
        f"port={box.starttls_port}",
        "--set",
        "tls=STARTTLS",
        "--set",
        f"ca_file={ca_file}",
        "--set",
        "helo_hostname=crm.example.test",
        "--auth",
        "oauth",
        "--secret-stdin",
        "--no-guided",
    ]
    for key, value in oauth.items():
        args += ["--oauth", f"{key}={value}"]
    return run_cli(*args, input=secret, expect=0)


def _new_app_only(
    run_cli: Callable[..., Any], box: Sandbox, ca_file: str = "ca.pem", env: str = "development"
) -> Any:
    """`new` for a Microsoft app-only config against the sandbox's authority (through msal)."""
    oauth = {
        "flow": "microsoft-app-only",
        "tenant": OAUTH_TENANT,
        "client_id": OAUTH_CLIENT_ID,
        "scope": OAUTH_SCOPE,
        "authority": box.issuer.authority(OAUTH_TENANT),
        "ca_file": ca_file,
    }
    return _new(run_cli, box, "o365", oauth, CLIENT_SECRET + "\n", ca_file, env)


def o365_ready(
    root: Path, make_sandbox: Callable[..., Sandbox], run_cli: Callable[..., Any]
) -> Sandbox:
    """A sandbox with XOAUTH2 whose client secret is the canary, and development/o365 made
    for it in ``root`` (keys, CA file, `new --auth oauth`), not yet committed."""
    box = make_sandbox(oauth=True)
    box.issuer.clients[OAUTH_CLIENT_ID].secret = CLIENT_SECRET
    (root / "ca.pem").write_bytes(Path(box.ca_file).read_bytes())
    run_cli("keys", "init", "--env", "development", expect=0)
    _new_app_only(run_cli, box)
    return box


def _test_and_deploy(run_cli, root: Path, name: str) -> list[Any]:
    outputs = [run_cli("validate", expect=0)]
    tested = run_cli("test", f"development/{name}", "--format", "json")
    outputs.append(tested)
    assert tested.exit_code == 0, repr(tested)
    report = json.loads(tested.stdout)
    names = [s["name"] for s in report["steps"]]
    assert names.index("token") + 1 == names.index("auth"), names
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", f"Add {name}")
    deployed = run_cli("deploy", f"development/{name}", expect=0)
    outputs.append(deployed)
    assert f"Deployed development/{name}" in deployed.stdout
    outputs.append(run_cli("status", "--env", "development", expect=0))
    for log in (root / ".smtpops").glob("*.jsonl"):
        outputs.append(type("Log", (), {"output": log.read_text()})())
    return outputs


def test_office365_app_only_through_msal(workspace, make_sandbox, run_cli) -> None:
    root, argv = workspace
    box = make_sandbox(oauth=True)
    box.issuer.clients[OAUTH_CLIENT_ID].secret = CLIENT_SECRET
    (root / "ca.pem").write_bytes(Path(box.ca_file).read_bytes())
    outputs = [run_cli("keys", "init", "--env", "development", expect=0)]
    outputs.append(_new_app_only(run_cli, box))
    assert "OAuth2 secret (client_secret): stored encrypted." in outputs[-1].stdout
    outputs += _test_and_deploy(run_cli, root, "o365")
    # msal read the sandbox authority's OpenID configuration and nothing else outside it
    assert f"GET /{OAUTH_TENANT}/v2.0/.well-known/openid-configuration" in box.issuer.requests
    text = run_cli("test", "development/o365", expect=0)
    outputs.append(text)
    assert "Token" in text.stdout and "SMTP.SendAsApp" in text.stdout
    printed = run_cli("token", "development/o365")
    assert printed.exit_code == 0, repr(printed)
    token = printed.stdout.strip()
    assert box.issuer.check(box.username, token) is None  # a fresh, valid token
    assert token not in printed.stderr and "valid for" in printed.stderr
    # a consumer that cannot sign in with a token is refused in plain words (the formats
    # that can carry one: tests/oauth/test_delivery_oauth.py)
    refused = run_cli("render", "development", "--format", "django")
    outputs.append(refused)
    assert refused.exit_code == 2 and refused.stdout == ""
    assert "XOAUTH2" in refused.stderr and "no XOAUTH2" in refused.stderr
    assert "smtpops exec" in refused.stderr
    handed = run_cli("exec", "development", "--", "sh", "-c", 'test -n "$SMTP_ACCESS_TOKEN"')
    outputs.append(handed)
    assert handed.exit_code == 0, handed.stderr
    _no_leak(root, box, argv, outputs, CLIENT_SECRET)


def test_google_service_account_through_google_auth(workspace, make_sandbox, run_cli) -> None:
    root, argv = workspace
    box = make_sandbox(oauth=True)
    key = service_account(box.issuer)
    (root / "ca.pem").write_bytes(Path(box.ca_file).read_bytes())
    outputs = [run_cli("keys", "init", "--env", "development", expect=0)]
    outputs.append(
        _new(
            run_cli,
            box,
            "workspace",
            {
                "flow": "google-service-account",
                "scope": "https://mail.google.com/",
                "token_url": box.issuer.google_token_url,
                "ca_file": "ca.pem",
            },
            key,
        )
    )
    outputs += _test_and_deploy(run_cli, root, "workspace")
    assert "POST /token urn:ietf:params:oauth:grant-type:jwt-bearer" in box.issuer.requests
    subject = next(iter(box.issuer.issued.values())).subject
    assert subject == box.username  # the mailbox is the service account's subject
    private = json.loads(key)["private_key"].split("\n")[1]  # a line of the key's body
    _no_leak(root, box, argv, outputs, private, SA_EMAIL + "-never")


def test_a_refused_token_stops_the_deploy(workspace, make_sandbox, run_cli) -> None:
    root, _ = workspace
    box = o365_ready(root, make_sandbox, run_cli)
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "Add o365")
    box.issuer.clients[OAUTH_CLIENT_ID].secret_expired = True
    refused = run_cli("deploy", "development/o365")
    assert refused.exit_code == 1, repr(refused)
    assert "client secret has expired" in refused.output and "New client secret" in refused.output
    printed = run_cli("token", "development/o365")
    assert printed.exit_code == 1 and printed.stdout == ""
    assert "AADSTS7000222" in printed.stderr
    assert CLIENT_SECRET not in refused.output + printed.output
