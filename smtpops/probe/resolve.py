"""Host name → addresses: IP literals as they are, then the hosts file (and ``localhost``),
then DNS with dnspython (A and AAAA), with the nameservers the user chose or the system's.

NXDOMAIN, no answer, a timeout and a failing server each raise their own Failure.
"""

from __future__ import annotations

import ipaddress
import os
import re

from smtpops.errors import UsageError
from smtpops.probe.failure import Failure
from smtpops.records import record

ENV_VAR = "SMTPOPS_DNS"


@record(frozen=True, kw_only=True)
class Resolution:
    host: str
    addresses: tuple[str, ...]  # in the order to try: IPv4 first, then IPv6
    source: str  # "IP address", "hosts file", "DNS 127.0.0.1:53", "system DNS"


def strip_host(host: str) -> str:
    host = host.strip()
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    return host.rstrip(".") if not _is_ip(host) else host


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _nameserver(item: str) -> tuple[str, int]:
    if item.startswith("["):
        address, bracket, rest = item[1:].partition("]")
        port = rest[1:] if rest.startswith(":") else ("53" if bracket and not rest else "x")
    elif item.count(":") == 1:
        address, port = item.split(":")
    else:
        address, port = item, "53"
    if not _is_ip(address) or not port.isdigit() or not 0 < int(port) < 65536:
        raise UsageError(
            f"DNS server '{item}' is not an IP address with an optional port",
            hint="Write it as 192.0.2.53, 192.0.2.53:5353 or [2001:db8::53]:53.",
        )
    return address, int(port)


def parse_nameservers(text: str) -> tuple[tuple[str, int], ...]:
    """``"127.0.0.1:5353, ::1"`` → ((ip, port), ...). Raises UsageError on a bad entry."""
    return tuple(_nameserver(item) for item in re.split(r"[\s,]+", text.strip()) if item)


def hosts_file_lookup(name: str, path: str) -> tuple[str, ...]:
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            lines = handle.read().splitlines()
    except OSError:
        lines = []
    found: list[str] = []
    for line in lines:
        fields = line.split("#", 1)[0].split()
        if len(fields) >= 2 and name.lower() in (f.lower() for f in fields[1:]):
            address = fields[0].split("%", 1)[0]
            if _is_ip(address) and address not in found:
                found.append(address)
    if not found and (name.lower() == "localhost" or name.lower().endswith(".localhost")):
        found = ["127.0.0.1", "::1"]  # RFC 6761: localhost names are loopback everywhere
    return _ordered(found)


def _ordered(addresses: list[str]) -> tuple[str, ...]:
    return tuple(sorted(addresses, key=lambda a: ipaddress.ip_address(a).version))


def resolve(
    host: str,
    *,
    nameservers: tuple[tuple[str, int], ...],
    timeout: float,
    hosts_file: str = "/etc/hosts",
) -> Resolution:
    name = strip_host(host)
    if _is_ip(name):
        return Resolution(host=name, addresses=(name,), source="IP address")
    local = hosts_file_lookup(name, hosts_file)
    if local:
        return Resolution(host=name, addresses=local, source="hosts file")
    return _dns(name, nameservers, timeout)


def _dns(name: str, nameservers: tuple[tuple[str, int], ...], timeout: float) -> Resolution:
    # lazy: dnspython is heavy: only a DNS lookup loads it (CLI start-up stays light)
    import dns.exception
    import dns.nameserver
    import dns.resolver

    if nameservers:
        resolver = dns.resolver.Resolver(configure=False)
        resolver.nameservers = [dns.nameserver.Do53Nameserver(ip, port) for ip, port in nameservers]
        source = "DNS " + ", ".join(f"{ip}:{port}" for ip, port in nameservers)
    else:
        try:
            resolver = dns.resolver.Resolver()
        except dns.resolver.NoResolverConfiguration:
            raise Failure("dns.no_resolver", host=name) from None
        source = "system DNS"
    resolver.lifetime = max(timeout, 0.05)
    resolver.timeout = max(timeout, 0.05)
    servers = ", ".join(str(ns) for ns in resolver.nameservers)
    found: list[str] = []
    try:
        for rdtype in ("A", "AAAA"):
            answer = resolver.resolve(name, rdtype, raise_on_no_answer=False, search=False)
            found.extend(r.to_text() for r in answer.rrset or ())
    except dns.resolver.NXDOMAIN:
        raise Failure("dns.nxdomain", host=name, servers=servers) from None
    except dns.exception.Timeout:
        raise Failure("dns.timeout", host=name, servers=servers, seconds=timeout) from None
    except dns.resolver.NoNameservers as exc:
        raise Failure("dns.servfail", str(exc)[:200], host=name, servers=servers) from None
    except dns.exception.DNSException as exc:
        raise Failure("dns.servfail", str(exc)[:200], host=name, servers=servers) from None
    if not found:
        raise Failure("dns.no_answer", host=name, servers=servers)
    return Resolution(host=name, addresses=_ordered(found), source=source)


def configured_nameservers(option: tuple[str, ...]) -> tuple[tuple[str, int], ...]:
    """The DNS servers from ``--dns`` options, else from $SMTPOPS_DNS, else none."""
    text = " ".join(option) if option else os.environ.get(ENV_VAR, "")
    return parse_nameservers(text) if text.strip() else ()
