"""TLS contexts, the facts of a server certificate, and what a TLS error means.

The certificate authority check and the host name check are reported separately: OpenSSL checks
the chain first and the name last, so a name mismatch error means the chain was trusted; when
the chain fails, the name is checked here against the certificate's SANs.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
from dataclasses import dataclass

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


def context(*, verify: bool, ca_file: str | None) -> ssl.SSLContext:
    if verify:
        ctx = ssl.create_default_context(cafile=ca_file)
    else:
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    return ctx


def speaks_plaintext(exc: BaseException) -> bool:
    """Did a TLS handshake fail because the other side is not speaking TLS?"""
    return isinstance(exc, ssl.SSLError) and (exc.reason or "") in _PLAINTEXT_REASONS


@dataclass(frozen=True, slots=True, kw_only=True)
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


@dataclass(frozen=True, slots=True, kw_only=True)
class Negotiated:
    version: str
    cipher: str
    der: bytes | None


def negotiated(sock: ssl.SSLSocket) -> Negotiated:
    cipher = sock.cipher()
    return Negotiated(
        version=sock.version() or "?",
        cipher=cipher[0] if cipher else "?",
        der=sock.getpeercert(binary_form=True),
    )
