"""Production reaches only public internet addresses: the carrier-grade NAT range
100.64.0.0/10 (which holds a cloud metadata service at 100.100.100.200) is refused by the
static rule and by the connection test, before any connection is opened."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from smtpops.hostnames import non_public_reason
from smtpops.rules.examples import BASE

METADATA = "100.100.100.200"
NAME = "metadata.example.com"


@pytest.mark.parametrize(
    "host",
    ["100.64.0.1", METADATA, "100.127.255.254", "[64:ff9b:1::1]", "[::ffff:100.100.100.200]"],
)
def test_non_global_addresses_are_not_public(host: str) -> None:
    assert non_public_reason(host) is not None


@pytest.mark.parametrize("host", ["100.63.255.255", "100.128.0.1", "smtp.example.com"])
def test_public_addresses_stay_public(host: str) -> None:
    assert non_public_reason(host) is None


def test_static_rule_refuses_cgnat_in_production(run_cli, repo_dir: Path) -> None:
    path = repo_dir / "configs" / "production" / "example.yaml"
    path.parent.mkdir(parents=True)
    path.write_text(BASE.replace("host: smtp.example.com", f"host: {METADATA}"))
    result = run_cli("validate", "--format", "json")
    found = [d for d in json.loads(result.stdout)["diagnostics"] if d["rule"] == "HOST004"]
    assert result.exit_code == 1 and found, repr(result)
    assert "shared (carrier-grade NAT)" in found[0]["message"]


def test_probe_refuses_a_name_resolving_to_cgnat_before_any_connect(
    make_sandbox, write_config, probe, dns_server, connects
) -> None:
    box = make_sandbox(names=(NAME,))
    dns = dns_server({NAME: [("A", METADATA)]})
    write_config(box.config(), env="production", host=NAME)
    _, report = probe("production/sandbox", "--dns", dns.address, expect=1)
    assert report["failure"]["error"] == "dns.private_address", report
    assert METADATA in report["failure"]["message"]
    assert [s["name"] for s in report["steps"]] == ["dns"]
    # the only sockets that connected were the DNS queries to the loopback server
    assert all(str(a[0]).startswith("127.") for a in connects if isinstance(a, tuple)), connects
    assert not any(METADATA in str(a) for a in connects)
