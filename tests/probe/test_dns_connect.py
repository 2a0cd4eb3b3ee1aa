"""DNS (loopback DNS server, hosts file, IP literals, production policy) and TCP connect
(refused, timeout on a full backlog, alternative ports)."""

from __future__ import annotations

from pathlib import Path

from smtpops.model import Config
from smtpops.probe import ProbeOptions, run_probe
from smtpops.secret import Secret
from tests.conftest import CANARY

NAME = "mail.sandbox.test"


def failure(report: dict) -> dict:
    assert report["passed"] is False, report
    return report["failure"]


def test_name_resolved_by_the_dns_server(make_sandbox, write_config, probe, dns_server):
    box = make_sandbox(names=(NAME,))
    dns = dns_server({NAME: [("A", "127.0.0.1")]})
    write_config(box.config(), host=NAME)
    _, report = probe("development/sandbox", "--dns", dns.address, expect=0)
    assert report["steps"][0]["data"] == {
        "addresses": ["127.0.0.1"],
        "source": f"DNS {dns.address}",
    }
    assert sorted(dns.queries) == [f"{NAME}/A", f"{NAME}/AAAA"]


def test_nameserver_from_the_environment_variable(make_sandbox, write_config, run_cli, dns_server):
    box = make_sandbox(names=(NAME,))
    dns = dns_server({NAME: [("A", "127.0.0.1")]})
    write_config(box.config(), host=NAME)
    result = run_cli(
        "test",
        "development/sandbox",
        "--password-stdin",
        input=CANARY,
        env={"SMTPOPS_DNS": dns.address},
    )
    assert result.exit_code == 0, repr(result)
    assert dns.queries


def test_nxdomain(sandbox, write_config, probe, dns_server):
    dns = dns_server({})
    write_config(sandbox.config(), host="mial.sandbox.test")
    _, report = probe("development/sandbox", "--dns", dns.address, expect=1)
    step = failure(report)
    assert step["error"] == "dns.nxdomain"
    assert (
        step["message"]
        == "The host name mial.sandbox.test does not exist (the DNS answer was NXDOMAIN)."
    )
    assert "spelling of host" in step["hint"]
    assert [s["name"] for s in report["steps"]] == ["dns"]


def test_name_without_address(sandbox, write_config, probe, dns_server):
    dns = dns_server({"sandbox.test": [("MX", "10 mail.sandbox.test.")]})
    write_config(sandbox.config(), host="sandbox.test")
    _, report = probe("development/sandbox", "--dns", dns.address, expect=1)
    assert failure(report)["error"] == "dns.no_answer"
    assert "no address (no A or AAAA record)" in failure(report)["message"]


def test_resolver_that_never_answers(sandbox, write_config, probe, dns_server):
    dns = dns_server(silent=True)
    write_config(sandbox.config(), host=NAME)
    _, report = probe("development/sandbox", "--dns", dns.address, wait="0.4", expect=1)
    step = failure(report)
    assert step["error"] == "dns.timeout"
    assert step["message"].startswith(f"No DNS server answered for {NAME} within 0.4 s")
    assert "SMTPOPS_DNS" in step["hint"]
    assert step["duration_ms"] < 3000


def test_private_address_refused_in_production(make_sandbox, write_config, probe, dns_server):
    box = make_sandbox(names=(NAME,))
    dns = dns_server({NAME: [("A", "127.0.0.1")]})
    write_config(box.config(), env="production", host=NAME)
    _, report = probe("production/sandbox", "--dns", dns.address, expect=1)
    step = failure(report)
    assert step["error"] == "dns.private_address"
    assert step["message"] == (
        f"{NAME} resolves to 127.0.0.1, a private, loopback, link-local or other "
        "non-public address, which the production environment does not allow."
    )
    assert len(report["steps"]) == 1  # no connection was made


def test_ip_literal_needs_no_lookup(make_sandbox, write_config, probe, dns_server):
    box = make_sandbox()
    dns = dns_server({})
    write_config(box.config(), host="127.0.0.1")
    _, report = probe("development/sandbox", "--dns", dns.address, expect=0)
    assert report["steps"][0]["data"]["source"] == "IP address"
    assert dns.queries == []


def test_hosts_file_names_need_no_dns(make_sandbox, tmp_path: Path, dns_server):
    box = make_sandbox(names=("exchange.corp.internal",))
    dns = dns_server({})
    hosts = tmp_path / "hosts"
    hosts.write_text("# on-premises Exchange\n127.0.0.1   exchange.corp.internal exchange\n")
    config = Config.from_raw(box.config() | {"host": "exchange.corp.internal"})
    report = run_probe(
        config,
        Secret(CANARY),
        options=ProbeOptions(nameservers=(dns.address,), hosts_file=str(hosts), wait_timeout=2),
    )
    assert report.passed, report.summary
    assert report.steps[0].data["source"] == "hosts file"
    assert dns.queries == []


def test_connection_refused(sandbox, write_config, probe, closed_port):
    write_config(sandbox.config() | {"port": closed_port})
    _, report = probe("development/sandbox", expect=1)
    step = failure(report)
    assert step["error"] == "connect.refused"
    assert (
        step["message"]
        == f"127.0.0.1 refused the connection on port {closed_port}: nothing is listening there."
    )


def test_connect_timeout_suggests_ports_that_answer(sandbox, write_config, probe, full_backlog):
    write_config(sandbox.config() | {"port": full_backlog})
    _, report = probe(
        "development/sandbox",
        "--alternative-ports",
        f"{sandbox.starttls_port}",
        wait="0.4",
        expect=1,
    )
    step = failure(report)
    assert step["error"] == "connect.timeout"
    assert "silently dropped, most likely by a firewall" in step["message"]
    assert step["hint"] == (
        f"Port(s) {sandbox.starttls_port} answer on this server: try port: "
        f"{sandbox.starttls_port} with tls: STARTTLS."
    )


def test_connect_timeout_without_alternatives(
    sandbox, write_config, probe, full_backlog, closed_port
):
    write_config(sandbox.config() | {"port": full_backlog})
    _, report = probe(
        "development/sandbox", "--alternative-ports", str(closed_port), wait="0.4", expect=1
    )
    step = failure(report)
    assert step["error"] == "connect.timeout"
    assert "did not answer either" in step["hint"] and str(closed_port) in step["hint"]


def test_bracketed_ipv6_literal(make_sandbox, write_config, probe):
    box = make_sandbox(host="::1")
    write_config(box.config(), host="[::1]")
    _, report = probe("development/sandbox", expect=0)
    assert report["facts"]["address"] == "::1"
    assert report["steps"][0]["data"]["source"] == "IP address"
