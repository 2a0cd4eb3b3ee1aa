"""Failure class → a plain message (what is wrong) and a hint (what to change).

Written for the Utility Administrator, not for an SMTP engineer. Reply codes are classified
in :mod:`smtpops.probe.reply_errors` (with provider-specific readings: Gmail, Microsoft 365);
this module is loaded only when a step fails.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from smtpops.probe.token_advice import explain as token_explain

Ctx = Mapping[str, Any]
_Advice = Callable[[Ctx], tuple[str, str]]

_APP_PASSWORD = {
    "gmail": "Create a Google app password (Google Account → Security → 2-Step Verification → "
    "App passwords) and store it as the password with `smtpops secrets set-password ENV/NAME`.",
    "yahoo": "Create a Yahoo app password (Account Info → Account Security → Generate app "
    "password) and store it as the password with `smtpops secrets set-password ENV/NAME`.",
    "office365": "Check the mailbox's user name (its full address) and password; Microsoft 365 "
    "also refuses passwords when SMTP AUTH is off or MFA/Security Defaults apply.",
}


def _mode_hint(ports: tuple[int, ...]) -> str:
    first = ports[0]
    mode = "SSL/TLS" if first == 465 else "STARTTLS"
    listed = ", ".join(str(p) for p in ports)
    return f"Port(s) {listed} answer on this server: try port: {first} with tls: {mode}."


def _timeout(c: Ctx) -> tuple[str, str]:
    msg = (
        f"No answer from {c['address']} on port {c['port']} within {c['seconds']:g} s: the "
        "connection attempt was silently dropped, most likely by a firewall blocking the port."
    )
    if c.get("answering"):
        return msg, _mode_hint(c["answering"])
    tried = ", ".join(str(p) for p in c.get("alternatives", ())) or "none"
    return msg, (
        f"Ask your network team to allow outgoing connections to {c['host']} port "
        f"{c['port']}; the usual alternative ports ({tried}) did not answer either."
    )


def _cert_untrusted(c: Ctx) -> tuple[str, str]:
    msg = (
        f"The server's certificate is not signed by a certificate authority this machine "
        f"trusts ({c['reason']})."
    )
    if c.get("ca_file"):
        return msg, (
            f"Check that ca_file ({c['ca_file']}) holds the certificate authority that "
            f"signed the server's certificate (its issuer is {c.get('issuer', '?')})."
        )
    return msg, (
        "If the server uses a private certificate authority, set ca_file to its PEM "
        "file; do not switch off verify_certificate."
    )


def _cert_hostname(c: Ctx) -> tuple[str, str]:
    names = ", ".join(c.get("names") or ()) or "no names"
    first = (c.get("names") or ("the name on the certificate",))[0]
    return (
        f"The server's certificate is for {names}, not for {c['host']}.",
        f"Set host to a name the certificate covers (for example {first}), or ask the "
        f"server's admin for a certificate that covers {c['host']}.",
    )


def _auth_failed(c: Ctx) -> tuple[str, str]:
    hint = _APP_PASSWORD.get(c.get("provider") or "", "")
    return (
        "Authentication failed – check username and password.",
        hint
        or f"Check username ({c['username']}) and set the password again with "
        "`smtpops secrets set-password ENV/NAME`.",
    )


def _mechanism(c: Ctx) -> tuple[str, str]:
    offered = c.get("offered") or ()
    usable = [m for m in ("LOGIN", "PLAIN", "CRAM-MD5") if m in offered]
    tokens = [m for m in ("XOAUTH2", "OAUTHBEARER") if m in offered]
    if usable:
        hint = f"Set auth_protocol: {usable[0]}."
    elif tokens:
        hint = (
            f"The server signs in only with OAuth2: set auth_protocol: {tokens[0]} with an "
            "oauth block (`smtpops new --auth oauth` writes one)."
        )
    else:
        hint = (
            "smtpops supports LOGIN, PLAIN, CRAM-MD5, XOAUTH2 and OAUTHBEARER; ask the "
            "server's admin to enable one."
        )
    return (
        f"The server does not offer {c['mechanism']} authentication; it offers "
        f"{', '.join(offered) or 'no mechanism'}.",
        hint,
    )


def _tls_no_answer(c: Ctx) -> tuple[str, str]:
    if c.get("mode") == "STARTTLS":
        return (
            f"The server agreed to STARTTLS but then did not answer the TLS handshake within "
            f"{c['seconds']:g} s.",
            "Something between this machine and the server may be holding TLS back; check "
            "host and port, try again later, or ask the server's admin to look at its logs.",
        )
    return (
        f"No answer: the server accepted the connection on port {c['port']} but did not "
        f"answer the TLS handshake within {c['seconds']:g} s.",
        "No answer: check host and port (port 465 with tls: SSL/TLS, port 587 with tls: "
        "STARTTLS); if both are right, the server is not answering, so try again later.",
    )


ADVICE: dict[str, _Advice] = {
    "dns.nxdomain": lambda c: (
        f"The host name {c['host']} does not exist (the DNS answer was NXDOMAIN).",
        "Check the spelling of host; copy the server name from your provider's SMTP settings.",
    ),
    "dns.no_answer": lambda c: (
        f"The name {c['host']} exists in DNS but has no address (no A or AAAA record).",
        "Check host: it should be the mail server's name (like smtp.example.com), not a domain.",
    ),
    "dns.timeout": lambda c: (
        f"No DNS server answered for {c['host']} within {c['seconds']:g} s ({c['servers']}).",
        "Check this machine's DNS settings, or name a DNS server that answers with --dns or "
        "the SMTPOPS_DNS environment variable.",
    ),
    "dns.servfail": lambda c: (
        f"The DNS server could not look up {c['host']} ({c['servers']}).",
        "Try again later; if it keeps failing, ask whoever runs your DNS to check the name.",
    ),
    "dns.no_resolver": lambda c: (
        f"This machine has no DNS server configured and {c['host']} is not in its hosts file.",
        "Name a DNS server with --dns or SMTPOPS_DNS, or write the server's IP address in host.",
    ),
    "dns.private_address": lambda c: (
        f"{c['host']} resolves to {c['address']}, a private, loopback, link-local or other "
        "non-public address, "
        f"which the {c['environment']} environment does not allow.",
        "Use the mail server's public host name; if the DNS answer is wrong, have it fixed.",
    ),
    "connect.refused": lambda c: (
        f"{c['address']} refused the connection on port {c['port']}: nothing is listening there.",
        "Check port (587 for STARTTLS, 465 for SSL/TLS) and that the mail server is running.",
    ),
    "connect.timeout": _timeout,
    "connect.unreachable": lambda c: (
        f"There is no network route to {c['address']} (port {c['port']}).",
        "Check this machine's network connection; an IPv6-only answer needs IPv6 here.",
    ),
    "greeting.timeout": lambda c: (
        f"The server accepted the connection on port {c['port']} but sent no greeting within "
        f"{c['seconds']:g} s.",
        "Check that host and port point at an SMTP server; port 465 needs tls: SSL/TLS.",
    ),
    "greeting.slow": lambda c: (
        f"The server started its greeting but did not finish it within {c['seconds']:g} s "
        f"(got '{c['excerpt']}').",
        "The server or something in between is very slow; try again later or raise wait_timeout.",
    ),
    "greeting.closed": lambda c: (
        "The server closed the connection without greeting.",
        "The server refuses this machine or is overloaded; check host and port, and try "
        "again later.",
    ),
    "greeting.tls_mismatch": lambda c: (
        f"The server on port {c['port']} expects TLS from the first byte (implicit TLS), but "
        "tls is STARTTLS, so both sides waited for the other.",
        "Set tls: SSL/TLS for this port, or use port 587 with tls: STARTTLS.",
    ),
    "greeting.rejected": lambda c: (
        f"The server refused the session at once: {c['reply']}.",
        "The server does not accept connections from this machine; ask its admin to allow "
        "this machine's IP address.",
    ),
    "greeting.unexpected": lambda c: (
        f"The server's greeting was not the usual 220 ready answer: {c['reply']}.",
        "Check host and port; ask the server's admin what the answer means.",
    ),
    "tls.not_offered": lambda c: (
        "The server does not offer STARTTLS, so the password would travel unencrypted; "
        "smtpops never falls back to plain text.",
        "If the server supports implicit TLS, set tls: SSL/TLS and port: 465; otherwise ask "
        "the server's admin to enable STARTTLS.",
    ),
    "tls.rejected": lambda c: (
        f"The server refused to start TLS: {c['reply']}.",
        "Ask the server's admin to check its TLS set-up, or try tls: SSL/TLS with port 465.",
    ),
    "tls.handshake": lambda c: (
        f"The TLS handshake with the server failed ({c['reason']}).",
        "The server's TLS set-up is broken or too old; ask its admin to check the certificate "
        "and TLS versions (TLS 1.2 or later).",
    ),
    "tls.no_answer": _tls_no_answer,
    "tls.mode_mismatch": lambda c: (
        f"The server on port {c['port']} speaks plain SMTP first, but tls is SSL/TLS "
        "(TLS from the first byte).",
        "Set tls: STARTTLS for this port (usual on 587), or use port 465 with tls: SSL/TLS.",
    ),
    "tls.ca_file": lambda c: (
        f"The ca_file {c['ca_file']} cannot be used ({c['reason']}).",
        "Point ca_file at the PEM file of your certificate authority, relative to the "
        "repository root.",
    ),
    "certificate.untrusted": _cert_untrusted,
    "certificate.expired": lambda c: (
        f"The server's certificate is not valid now (it expires {c['not_after']}; {c['reason']}).",
        "Ask the mail server's admin to renew the certificate.",
    ),
    "certificate.hostname": _cert_hostname,
    "auth.no_password": lambda c: (
        "There is no password to test with.",
        "Decrypt access is needed (your age key), or pass the password with --password-stdin.",
    ),
    "auth.not_offered": lambda c: (
        "The server offers no authentication on this connection.",
        "Check that port is the mail submission port (587 or 465); port 25 often has no login.",
    ),
    "auth.starttls_first": lambda c: (
        "This server wants STARTTLS first: it offers login only on an encrypted connection, "
        "and tls is None.",
        "Set tls: STARTTLS.",
    ),
    "auth.mechanism": _mechanism,
    "auth.failed": _auth_failed,
    "auth.app_password": lambda c: (
        "Gmail refused the password: this account needs an app password (534 5.7.9).",
        _APP_PASSWORD["gmail"],
    ),
    "auth.smtp_auth_disabled": lambda c: (
        "Microsoft 365 refused the login: SMTP AUTH is disabled for this tenant or mailbox "
        "(535 5.7.139).",
        f"Ask your Microsoft 365 admin to enable Authenticated SMTP for {c['username']} "
        "(Set-CASMailbox -SmtpClientAuthenticationDisabled $false); if basic authentication "
        "is off for the tenant, move the config to OAuth2 (README: Move Microsoft 365 to "
        "OAuth2).",
    ),
    "auth.tls_required": lambda c: (
        f"The server wants an encrypted connection before login: {c['reply']}.",
        "Set tls: STARTTLS (or tls: SSL/TLS with port 465).",
    ),
    "auth.too_many": lambda c: (
        f"The server has too many connections for this account right now: {c['reply']}.",
        "Wait a few minutes and test again; lower max_connections (Microsoft 365 allows 3).",
    ),
    "auth.temporary": lambda c: (
        f"The server could not log in right now: {c['reply']}.",
        "Try again in a few minutes; if it persists, ask the server's admin.",
    ),
    "auth.rejected": lambda c: (
        f"The server rejected the login: {c['reply']}.",
        "Check username, password and auth_protocol.",
    ),
    "envelope.no_sender": lambda c: (
        "There is no sender address: username is not an email address and from_address is not set.",
        "Add from_address: the address the CRM sends from.",
    ),
    "envelope.bad_address": lambda c: (
        f"The {c['role']} {c['address']!r} is not one email address: {c['reason']}; "
        "nothing was sent.",
        "Give a single plain address such as alerts@example.com (from_address, the username "
        "or --send-to).",
    ),
    "envelope.sender_refused": lambda c: (
        f"The server refused the sender {c['sender']}: {c['reply']}.",
        "Set from_address to an address this account may send as (its own address or an "
        "alias the provider allows).",
    ),
    "envelope.recipient_refused": lambda c: (
        f"The server refused the recipient {c['recipient']}: {c['reply']}.",
        "The account may not send to this address; check the sender is allowed, or test "
        "with --send-to an address you own.",
    ),
    "envelope.data_refused": lambda c: (
        f"The server would not take a message (DATA): {c['reply']}.",
        "Ask the server's admin why messages from this account are refused.",
    ),
    "send.rejected": lambda c: (
        f"The server rejected the test message: {c['reply']}.",
        "Check custom_headers and from_address; the reply above names the reason.",
    ),
}

_TRANSPORT: dict[str, Callable[[str, Ctx], tuple[str, str]]] = {
    "timeout": lambda step, c: (
        f"The server did not answer {c['command']} within {c['seconds']:g} s.",
        "The server or the network is overloaded; try again later or raise wait_timeout.",
    ),
    "slow": lambda step, c: (
        f"The server started to answer {c['command']} but did not finish within "
        f"{c['seconds']:g} s (got '{c['excerpt']}').",
        "The server or something in between is very slow; try again later or raise wait_timeout.",
    ),
    "closed": lambda step, c: (
        f"The server closed the connection after {c['command']}.",
        "The server dropped this client; check helo_hostname and that this machine's address "
        "is allowed, and look at the server's logs."
        if step == "ehlo"
        else "Check host, port and tls; ask the server's admin to look at its logs.",
    ),
    "garbage": lambda step, c: (
        f"The server answered {c['command']} with something that is not SMTP: '{c['excerpt']}'.",
        "Check host and port: this port runs some other service, not an SMTP server.",
    ),
    "too_long": lambda step, c: (
        f"The server answered {c['command']} with a line longer than any SMTP server sends.",
        "Check host and port: this is not a normal SMTP server.",
    ),
    "busy": lambda step, c: (
        f"The server is busy and closed the session: {c['reply']}.",
        "Wait a few minutes and test again; lower max_connections if it keeps happening.",
    ),
    "overall_timeout": lambda step, c: (
        f"The whole test took longer than {c['seconds']:g} s and was stopped.",
        "The server is very slow; try again later.",
    ),
    "rejected": lambda step, c: (
        f"The server refused {c['command']}: {c['reply']}.",
        "Set helo_hostname to this machine's public DNS name."
        if step == "ehlo"
        else "Ask the server's admin what the answer means.",
    ),
}


def explain(error: str, context: Ctx) -> tuple[str, str]:
    token = token_explain(error, context)
    if token is not None:
        return token
    if error in ADVICE:
        return ADVICE[error](context)
    step, _, kind = error.partition(".")
    if kind in _TRANSPORT:
        return _TRANSPORT[kind](step, context)
    return (f"The {step} step failed ({kind}).", "Rerun with --format json for the details.")
