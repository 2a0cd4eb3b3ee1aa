"""Deploy, promote and rollback pass the same gate as ``smtpops test``: one validation, one
set of connection-test options (--dns, --wait-timeout), one test log."""

from __future__ import annotations

import json

from tests.gitops.conftest import Project
from tests.probe.conftest import DnsServer

BROKEN = {  # seven validation errors, more than the old gate's five
    "port": 70000,
    "tls": "sometimes",
    "auth_protocol": "SECRET",
    "from_address": "not an address",
    "helo_hostname": "bad host name",
    "wait_timeout": "soon",
    "verify_certificate": "maybe",
}


def test_deploy_lists_every_validation_error_like_test(project: Project, run_cli) -> None:
    project.add_config("development", "main", **BROKEN)
    errors = json.loads(
        run_cli("validate", "configs/development/main.yaml", "--format", "json").stdout
    )
    wanted = [d for d in errors["diagnostics"] if d["severity"] == "error"]
    assert len(wanted) > 5
    deploy = run_cli("deploy", "development/main", expect=1)
    test = run_cli("test", "development/main", expect=1)
    assert "nothing was changed" in deploy.stderr and "it was not tested" in test.stderr
    for d in wanted:  # every error, with its fix, on both sides
        assert f"{d['rule']} {d['message']}" in deploy.stderr
        assert f"{d['rule']} {d['message']}" in test.stderr
    fixes = len(wanted) + 1  # each error's fix, then the command's own hint
    assert deploy.stderr.count("How to fix:") == test.stderr.count("How to fix:") == fixes
    assert "… and" not in deploy.stderr


def test_deploy_asks_the_dns_server_given(project: Project, run_cli) -> None:
    project.add_config("development", "main", host="mail.deploy.test")
    dns = DnsServer({}, silent=True)
    try:
        result = run_cli(
            "deploy", "development/main", "--dns", dns.address, "--wait-timeout", "0.2", expect=1
        )
    finally:
        dns.close()
    assert dns.queries and dns.queries[0] == "mail.deploy.test/A"
    assert "nothing was changed" in result.stderr
    assert project.active("development") == []


def test_a_bad_dns_server_is_the_same_usage_error_everywhere(project: Project, run_cli) -> None:
    project.add_config("development", "main", active=True)
    for args in (
        ("test", "development/main"),
        ("deploy", "development/main"),
        ("promote", "main", "--from", "development", "--to", "staging"),
        ("rollback", "development"),
    ):
        result = run_cli(*args, "--dns", "not-an-ip:99", expect=2)
        assert "DNS server 'not-an-ip:99' is not an IP address" in result.stderr, args


def test_deploy_logs_its_test_where_smtpops_test_does(project: Project, run_cli) -> None:
    project.add_config("development", "main")
    run_cli("test", "development/main", expect=0)
    run_cli("deploy", "development/main", expect=0)
    lines = (project.root / ".smtpops" / "test-log.jsonl").read_text().splitlines()
    records = [json.loads(line) for line in lines]
    assert [(r["config"], r["outcome"]) for r in records] == [("development/main", "passed")] * 2


def test_test_facts_read_the_same_in_the_output_and_the_commit(project: Project, run_cli) -> None:
    from tests.gitops.conftest import git

    project.add_config("development", "main")
    out = run_cli("deploy", "development/main", expect=0).stdout
    shown = out.split("Connection test passed (", 1)[1].split("):", 1)[0]
    assert shown.startswith(f"127.0.0.1:{project.server.port}, TLSv1.")
    assert "AUTH LOGIN" in shown and shown.endswith(" ms")
    body = git(project.root, "log", "-1", "--format=%B")
    assert f"The connection test passed ({shown})." in body
