"""Shared parsing of host names and addresses: the host and helo rules, and the connection
test's check that a resolved address is public (core, so the probe does not load the rules)."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import ipaddress

_LABEL = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")
_IPV4ISH = re.compile(r"^[0-9.]+$")
LOCAL_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"}


def is_domain(name: str) -> bool:
    """A DNS host name: dot-separated labels of letters, digits and inner hyphens."""
    name = name[:-1] if name.endswith(".") else name
    if not name or len(name) > 253:
        return False
    labels = name.split(".")
    if _IPV4ISH.match(name):
        return False  # looks like an address: must be a valid dotted quad instead
    return all(_LABEL.match(label) for label in labels)


def parse_address(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The IP address written in ``host`` (IPv4 dotted quad or [IPv6]); None for names."""
    if not (host.startswith("[") and host.endswith("]")) and not _IPV4ISH.match(host):
        return None
    # lazy(start-up): ipaddress (~1 ms), only for a host written as an address, not a name
    import ipaddress

    if host.startswith("[") and host.endswith("]"):
        try:
            return ipaddress.IPv6Address(host[1:-1])
        except ValueError:
            return None
    try:
        return ipaddress.IPv4Address(host)
    except ValueError:
        return None


def host_problem(host: str) -> str | None:
    """Why ``host`` is not a domain, IPv4 dotted quad or bracketed IPv6; None when it is."""
    if host.startswith(("http://", "https://", "smtp://")):
        return "it starts with a URL scheme"
    if "@" in host:
        return "it contains '@' (that is an email address, not a server)"
    if ":" in host and not host.startswith("["):
        return (
            "an IPv6 address must be written in brackets, e.g. [2001:db8::1]"
            if parse_address(f"[{host}]") is not None
            else "it contains ':' (put the port in the 'port' field)"
        )
    if host.startswith("["):
        return None if parse_address(host) else "the bracketed IPv6 address is not valid"
    if _IPV4ISH.match(host):
        return (
            None if parse_address(host) else "it is not a valid IPv4 address (four numbers 0-255)"
        )
    bad = sorted({c for c in host if not (c.isascii() and (c.isalnum() or c in ".-"))})
    if bad:
        shown = " ".join(repr(c) for c in bad[:5])
        return f"it contains characters not allowed in a server name: {shown}"
    if not is_domain(host):
        return "it is not a valid domain name (labels of 1-63 letters, digits or '-', separated by dots)"
    return None


def non_public_reason(host: str) -> str | None:
    """Why ``host`` points at this machine or a private network; None for public hosts."""
    name = host.lower().rstrip(".")
    if name in LOCAL_NAMES or name.endswith(".localhost"):
        return "it is this machine (localhost)"
    address = parse_address(host)
    if address is None:
        if name.endswith((".local", ".internal", ".lan", ".home.arpa")):
            return "it is a local-network name"
        return None
    return address_reason(address)


@lru_cache(maxsize=1)
def _shared() -> ipaddress.IPv4Network:
    """RFC 6598's 100.64.0.0/10: carrier-grade NAT, cloud metadata."""
    # lazy(start-up): ipaddress, only when an address is checked (the caller has one)
    import ipaddress

    return ipaddress.IPv4Network("100.64.0.0/10")


def address_reason(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    """Why ``address`` is not a public internet address, or None when it is one. Anything
    the IANA registries do not mark globally reachable is refused (``is_global``), not only
    the ranges ``is_private`` knows: 100.64.0.0/10 is neither private nor global."""
    if address.is_loopback:
        return "it is a loopback address (this machine)"
    if address.is_link_local:
        return "it is a link-local address"
    if address.is_unspecified:
        return "it is the unspecified address"
    if address.is_private:
        return "it is a private-network address"
    if address.is_multicast or address.is_reserved:
        return "it is a reserved address"
    if address.version == 4 and address in _shared():
        return "it is a shared (carrier-grade NAT) address, used inside providers and clouds"
    if not address.is_global:
        return "it is not a public internet address (a special-purpose range)"
    return None
