"""TLS contexts, the facts of a server certificate, and what a TLS error means.

The certificate authority check and the host name check are reported separately: OpenSSL checks
the chain first and the name last, so a name mismatch error means the chain was trusted; when
the chain fails, the name is checked here against the certificate's SANs.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import ssl
import threading
from typing import Any

from smtpops.records import record

HOSTNAME_MISMATCH = {62, 64}  # X509_V_ERR_HOSTNAME_MISMATCH, X509_V_ERR_IP_ADDRESS_MISMATCH
EXPIRED = {9, 10}  # not yet valid, expired
_PLAINTEXT_REASONS = {
    "WRONG_VERSION_NUMBER",
    "RECORD_LAYER_FAILURE",
    "PACKET_LENGTH_TOO_LONG",
    "UNKNOWN_PROTOCOL",
    "HTTP_REQUEST",
}
WARN_DAYS = 30


_contexts: dict[tuple[str, int, int] | None, ssl.SSLContext] = {}
_contexts_lock = threading.Lock()


def context(*, verify: bool, ca_file: str | None) -> ssl.SSLContext:
    """A client context. Verifying: trusting ``ca_file`` alone, or the system's trust store,
    with the host name checked. Loading a trust store costs tens of milliseconds (the system
    store holds ~150 certificates), so a verifying context is made once per process and
    trust source (a changed CA file makes a new one) and shared: an SSLContext may serve
    many connections and threads (``test --env``). Not verifying, no store is loaded."""
    if not verify:
        plain = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        plain.check_hostname = False
        plain.verify_mode = ssl.CERT_NONE
        return plain
    key = None
    if ca_file is not None:
        stat = os.stat(ca_file)
        key = (os.path.abspath(ca_file), stat.st_mtime_ns, stat.st_size)
    with _contexts_lock:
        found = _contexts.get(key)
        if found is None:
            found = _contexts[key] = ssl.create_default_context(cafile=ca_file)
    return found


def speaks_plaintext(exc: BaseException) -> bool:
    """Did a TLS handshake fail because the other side is not speaking TLS?"""
    return isinstance(exc, ssl.SSLError) and (exc.reason or "") in _PLAINTEXT_REASONS


@record(frozen=True, kw_only=True)
class Certificate:
    subject: str
    issuer: str
    dns_names: tuple[str, ...]
    ip_addresses: tuple[str, ...]
    not_after: str
    days_left: int

    @property
    def names(self) -> tuple[str, ...]:
        return self.dns_names + self.ip_addresses

    def to_dict(self) -> dict[str, object]:
        return {
            "subject": self.subject,
            "issuer": self.issuer,
            "sans": list(self.names),
            "not_after": self.not_after,
            "days_left": self.days_left,
        }


_RDN_NAMES = {
    "commonName": "CN",
    "countryName": "C",
    "localityName": "L",
    "stateOrProvinceName": "ST",
    "streetAddress": "STREET",
    "organizationName": "O",
    "organizationalUnitName": "OU",
    "domainComponent": "DC",
    "userId": "UID",
}


def _rdn_value(value: str) -> str:
    """RFC 4514 escaping of an attribute value."""
    out = "".join("\\" + ch if ch in ',+"\\<>;' else ch for ch in value)
    if out.startswith(("#", " ")):
        out = "\\" + out
    if out.endswith(" "):
        out = out[:-1] + "\\ "
    return out


def _rfc4514(name: Any) -> str:
    """A name as ``getpeercert()`` gives it (RDNs of (attribute, value) pairs, most
    significant first), written like cryptography's ``rfc4514_string()``: last RDN first."""
    rdns = []
    for rdn in reversed(name or ()):
        parts = [f"{_RDN_NAMES.get(attr, attr)}={_rdn_value(str(value))}" for attr, value in rdn]
        rdns.append("+".join(parts))
    return ",".join(rdns)


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def cert_time(text: str) -> dt.datetime:
    """A time of ``getpeercert()`` (``'Jun  1 12:00:00 2030 GMT'``) in UTC, as
    ``ssl.cert_time_to_seconds`` reads it, but without the strptime, locale and calendar
    modules that function loads (3 ms of every connection test). Raises ValueError."""
    month, day, clock, year, zone = text.split()
    hour, minute, second = clock.split(":")
    if zone != "GMT" or not all(
        p.isascii() and p.isdigit() for p in (day, year, hour, minute, second)
    ):
        raise ValueError(f"not a certificate time: {text!r}")
    number = _MONTHS.index(month.title()) + 1  # ValueError for an unknown month
    parts = (int(year), number, int(day), int(hour), int(minute), int(second))
    return dt.datetime(*parts, tzinfo=dt.UTC)


def verified_certificate(peer: dict[str, Any]) -> Certificate | None:
    """The facts of a certificate OpenSSL has verified, from ``SSLSocket.getpeercert()``
    (which is empty unless the chain was checked): no certificate parser to load, which
    cost this step 30-70 ms of imports. None when the dict lacks what is needed."""
    try:
        not_after = cert_time(peer["notAfter"])
    except (KeyError, ValueError, TypeError, AttributeError):
        return None
    sans = peer.get("subjectAltName", ())
    dns_names = tuple(value for kind, value in sans if kind == "DNS")
    ips = []
    for kind, value in sans:
        if kind == "IP Address":
            try:
                ips.append(ipaddress.ip_address(value.strip()).compressed)
            except ValueError:
                ips.append(value.strip())
    return Certificate(
        subject=_rfc4514(peer.get("subject")) or "(empty)",
        issuer=_rfc4514(peer.get("issuer")) or "(empty)",
        dns_names=dns_names,
        ip_addresses=tuple(ips),
        not_after=not_after.strftime("%Y-%m-%d"),
        days_left=(not_after - dt.datetime.now(dt.UTC)).days,
    )


def facts(negotiated: Negotiated) -> Certificate:
    """The certificate's facts: from the verified peer certificate when there is one, else
    (not verified, or verification failed) parsed from its DER bytes."""
    if negotiated.peer:
        found = verified_certificate(negotiated.peer)
        if found is not None:
            return found
    assert negotiated.der is not None
    return certificate(negotiated.der)


def certificate(der: bytes) -> Certificate:
    # lazy: cryptography is heavy: only reading a certificate loads it (CLI start-up stays light)
    from cryptography import x509

    cert = x509.load_der_x509_certificate(der)
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        dns_names = tuple(san.get_values_for_type(x509.DNSName))
        ips = tuple(str(ip) for ip in san.get_values_for_type(x509.IPAddress))
    except x509.ExtensionNotFound:
        dns_names, ips = (), ()
    not_after = cert.not_valid_after_utc
    days_left = (not_after - dt.datetime.now(dt.UTC)).days
    return Certificate(
        subject=cert.subject.rfc4514_string() or "(empty)",
        issuer=cert.issuer.rfc4514_string() or "(empty)",
        dns_names=dns_names,
        ip_addresses=ips,
        not_after=not_after.strftime("%Y-%m-%d"),
        days_left=days_left,
    )


def hostname_matches(host: str, cert: Certificate) -> bool:
    """RFC 6125 matching: exact DNS names, a wildcard for the left-most label, IP SANs."""
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        address = None
    if address is not None:
        return any(ipaddress.ip_address(ip) == address for ip in cert.ip_addresses)
    name = host.lower().rstrip(".")
    for pattern in (p.lower().rstrip(".") for p in cert.dns_names):
        if pattern == name:
            return True
        if pattern.startswith("*.") and "." in name:
            label, rest = name.split(".", 1)
            if label and rest == pattern[2:] and "*" not in rest:
                return True
    return False


@record(frozen=True, kw_only=True)
class Negotiated:
    version: str
    cipher: str
    der: bytes | None
    peer: dict[str, Any] | None = None  # getpeercert(): filled only when OpenSSL verified it


def negotiated(sock: ssl.SSLSocket) -> Negotiated:
    cipher = sock.cipher()
    return Negotiated(
        version=sock.version() or "?",
        cipher=cipher[0] if cipher else "?",
        der=sock.getpeercert(binary_form=True),
        peer=sock.getpeercert() or None,
    )
