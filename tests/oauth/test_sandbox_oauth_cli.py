"""`smtpops sandbox --oauth` as a newcomer uses it: start it, write its OAuth2 config, store
the sandbox app's client secret with set-oauth, test the config (Token + AUTH XOAUTH2)."""

from __future__ import annotations

from pathlib import Path

import yaml

from tests.probe.test_sandbox_cli import start, stop


def test_sandbox_oauth_end_to_end(repo_dir: Path, run_cli, tmp_path_factory, monkeypatch) -> None:
    key_file = tmp_path_factory.mktemp("keys") / "keys.txt"
    monkeypatch.setenv("SOPS_AGE_KEY_FILE", str(key_file))
    run_cli("keys", "init", "--env", "development", expect=0)
    target = repo_dir / "configs" / "development" / "sandbox.yaml"
    target.parent.mkdir(parents=True, exist_ok=True)
    proc, info = start(repo_dir, "--oauth", "--write-config", str(target))
    try:
        secret = info["oauth_client_secret"]
        written = yaml.safe_load(target.read_text())
        assert written["auth_protocol"] == "XOAUTH2"
        assert written["oauth"]["authority"] == info["oauth_authority"]
        assert written["oauth"]["ca_file"] == ".smtpops/sandbox/ca.pem"
        assert "smtpops secrets set-oauth development/sandbox" in target.read_text()
        assert secret not in target.read_text()
        stored = run_cli("secrets", "set-oauth", "development/sandbox", "--stdin", input=secret)
        assert stored.exit_code == 0, repr(stored)
        tested = run_cli("test", "development/sandbox")
        assert tested.exit_code == 0, repr(tested)
        assert "Token" in tested.stdout and secret not in tested.output
    finally:
        out, _ = stop(proc)
    assert "client secret:" in out  # shown once by the sandbox itself: it is a throwaway
