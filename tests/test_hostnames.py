"""Units for the dense parsing behind the host, HELO and username rules."""

from __future__ import annotations

import subprocess
import sys

import pytest

from smtpops.hostnames import host_problem, non_public_reason
from smtpops.rules.username import email_problem


@pytest.mark.parametrize(
    "host",
    [
        "smtp.gmail.com",
        "smtp.office365.com",
        "a.b",
        "mail-1.example.co.uk",
        "192.0.2.10",
        "[2001:db8::1]",
        "localhost",
        "smtp.example.com.",
    ],
)
def test_valid_hosts(host: str) -> None:
    assert host_problem(host) is None


@pytest.mark.parametrize(
    ("host", "words"),
    [
        ("https://smtp.gmail.com", "URL scheme"),
        ("smtp.gmail.com:587", "port"),
        ("2001:db8::1", "brackets"),
        ("[2001:db8::zz]", "IPv6"),
        ("256.1.1.1", "IPv4"),
        ("1.2.3", "IPv4"),
        ("smtp gmail.com", "characters"),
        ("smtp_relay.example.com", "characters"),
        ("-smtp.example.com", "domain"),
        ("smtp..example.com", "domain"),
        ("a" * 64 + ".com", "domain"),
        ("user@example.com", "'@'"),
        ("smtp.exämple.com", "characters"),
    ],
)
def test_invalid_hosts_say_why(host: str, words: str) -> None:
    problem = host_problem(host)
    assert problem is not None and words in problem


@pytest.mark.parametrize(
    ("host", "words"),
    [
        ("localhost", "localhost"),
        ("LOCALHOST.", "localhost"),
        ("127.0.0.1", "loopback"),
        ("127.8.9.10", "loopback"),
        ("[::1]", "loopback"),
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("192.168.1.1", "private"),
        ("169.254.10.10", "link-local"),
        ("[fe80::1]", "link-local"),
        ("[fd00::1]", "private"),
        ("0.0.0.0", "unspecified"),
        ("mail.corp.local", "local-network"),
    ],
)
def test_non_public_hosts(host: str, words: str) -> None:
    reason = non_public_reason(host)
    assert reason is not None and words in reason


@pytest.mark.parametrize("host", ["smtp.gmail.com", "8.8.8.8", "[2607:f8b0::1]"])
def test_public_hosts(host: str) -> None:
    assert non_public_reason(host) is None


@pytest.mark.parametrize(
    "address", ["a@b.co", "first.last+tag@example-utility.com", "x_y@mail.example.org"]
)
def test_valid_addresses(address: str) -> None:
    assert email_problem(address) is None


@pytest.mark.parametrize(
    "address",
    [
        "a@@b.com",
        "@b.com",
        "a@",
        "a@b",
        "a b@c.com",
        ".a@b.com",
        "a..b@c.com",
        "a@-b.com",
        "x" * 65 + "@b.com",
    ],
)
def test_invalid_addresses(address: str) -> None:
    assert email_problem(address) is not None


def test_a_host_name_needs_no_ipaddress_module() -> None:
    """Start-up: ipaddress (~1 ms) loads only for a host written as an address."""
    code = (
        "import sys\n"
        "from smtpops.hostnames import host_problem, non_public_reason\n"
        "from smtpops.mailbox import problem\n"
        "assert host_problem('smtp.gmail.com') is None\n"
        "assert non_public_reason('smtp.gmail.com') is None\n"
        "assert problem('alerts@example.com') is None\n"
        "assert 'ipaddress' not in sys.modules, 'loaded ipaddress'\n"
        "assert host_problem('2001:db8::1').startswith('an IPv6 address must be written')\n"
        "assert non_public_reason('100.64.0.1').startswith('it is a shared')\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
