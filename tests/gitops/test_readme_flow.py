"""The README's GitOps walk-through, from an empty repository to a deployed config, in
the same commands a newcomer types (the server is the sandbox, so the environment is
development; production takes the same commands against a real provider)."""

from __future__ import annotations

import json
import subprocess

import pytest

from tests.conftest import CANARY, assert_no_canary
from tests.gitops.conftest import AUTHOR, USER, git


@pytest.fixture
def empty_repo(tmp_path, monkeypatch):
    root = tmp_path / "crm-smtp"
    root.mkdir()
    monkeypatch.chdir(root)
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.name", AUTHOR[0])
    git(root, "config", "user.email", AUTHOR[1])
    key_file = tmp_path / "keys.txt"
    monkeypatch.setenv("SOPS_AGE_KEY_FILE", str(key_file))
    return root


def test_from_an_empty_repository_to_a_deployed_config(empty_repo, smtp_server, run_cli):
    root = empty_repo
    assert "smtpops init" in run_cli("keys", "list", expect=2).stderr  # the way in
    run_cli("init", expect=0)  # the README's first step
    (root / "ca.pem").write_bytes(smtp_server.ca_pem)
    outputs = []
    outputs.append(run_cli("keys", "init", "--env", "development", expect=0))
    outputs.append(
        run_cli(
            "new",
            "relay",
            "--env",
            "development",
            "--provider",
            "custom",
            "--username",
            USER,
            "--set",
            "host=127.0.0.1",
            "--set",
            f"port={smtp_server.port}",
            "--set",
            "tls=STARTTLS",
            "--set",
            "ca_file=ca.pem",
            "--set",
            "helo_hostname=crm.example.test",
            "--password-stdin",
            "--no-guided",
            input=CANARY + "\n",
            expect=0,
        )
    )
    outputs.append(run_cli("validate", expect=0))
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "Add the development relay")
    outputs.append(run_cli("deploy", "development/relay", expect=0))
    outputs.append(run_cli("status", "--env", "development", expect=0))
    history = run_cli("history", "--format", "json", expect=0)
    outputs.append(history)
    assert "?? .smtpops" not in git(root, "status", "--porcelain")  # local state stays out
    for result in outputs:
        assert_no_canary(result.output)
    assert "Deployed development/relay" in outputs[3].stdout
    assert "development: active development/relay" in outputs[4].stdout
    entries = json.loads(history.stdout)["entries"]
    assert entries[0]["action"] == "deploy" and entries[0]["test"].startswith("passed")
    log = subprocess.run(
        ["git", "log", "-p", "--all"], cwd=root, capture_output=True, text=True, check=True
    ).stdout
    assert CANARY not in log
