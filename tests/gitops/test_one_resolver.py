"""`smtpops test` and the gated changes (deploy, promote, rollback) resolve a host with the
same DNS servers: --dns, else $SMTPOPS_DNS, else the system's."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.gitops.conftest import Project
from tests.probe.conftest import DnsServer

NAME = "relay.smtpops-dns.test"  # known only to the loopback DNS server


@pytest.fixture
def dns() -> Iterator[DnsServer]:
    server = DnsServer({NAME: [("A", "127.0.0.1")]})
    yield server
    server.close()


def _config(project: Project) -> None:
    project.add_config("development", "main", host=NAME, ca_file=None, verify_certificate=False)


def test_deploy_uses_smtpops_dns_like_test(
    project: Project, run_cli, dns: DnsServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    _config(project)
    monkeypatch.setenv("SMTPOPS_DNS", dns.address)
    run_cli("test", "development/main", expect=0)
    asked_by_test = sorted(dns.queries)
    dns.queries.clear()
    run_cli("deploy", "development/main", expect=0)
    assert sorted(dns.queries) == asked_by_test == [f"{NAME}/A", f"{NAME}/AAAA"]
    assert project.active("development") == ["main"]


@pytest.mark.parametrize(
    "command",
    [
        ("deploy", "development/main", "--dry-run"),
        ("rollback", "development", "--dry-run"),
        ("promote", "main", "--from", "development", "--to", "staging", "--dry-run"),
    ],
)
def test_gated_changes_take_dns(
    project: Project, run_cli, dns: DnsServer, command: tuple[str, ...]
) -> None:
    _config(project)
    if command[0] == "rollback":
        project.add_config("development", "old", ca_file=None, verify_certificate=False)
        run_cli("deploy", "development/old", expect=0)
        run_cli("deploy", "development/main", "--dns", dns.address, expect=0)
        dns.queries.clear()
        command = ("rollback", "development", "--to", "main", "--dry-run")
    if command[0] == "promote":
        project.add_config("staging", "main", host=NAME, ca_file=None, verify_certificate=False)
    result = run_cli(*command, "--dns", dns.address)
    assert result.exit_code == 0, repr(result)
    assert f"{NAME}/A" in dns.queries
