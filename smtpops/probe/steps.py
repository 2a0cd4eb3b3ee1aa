"""The connection test's steps. Each takes the Probe, returns an Outcome (what it found) or
raises Failure; the runner times them. ``STEPS`` lists them per TLS mode, in order."""

from __future__ import annotations

import ipaddress
from typing import Any

from smtpops import mailbox
from smtpops.hostnames import address_reason
from smtpops.probe import connect as tcp
from smtpops.probe import resolve
from smtpops.probe.auth import authenticate
from smtpops.probe.failure import Failure
from smtpops.probe.reply_errors import reply_error
from smtpops.probe.secure import speaks_tls
from smtpops.probe.session import ReadError, Session
from smtpops.probe.state import Outcome, Probe
from smtpops.secret import Secret


def _private(address: str) -> bool:
    """Not a public internet address (the same test as the HOST004 rule)."""
    return address_reason(ipaddress.ip_address(address)) is not None


def dns(p: Probe) -> Outcome:
    found = resolve.resolve(
        p.host, nameservers=p.nameservers, timeout=p.timeout(), hosts_file=p.options.hosts_file
    )
    policy = p.environment.policy if p.environment else None
    if policy is not None and not policy.allow_private_hosts:
        for address in found.addresses:
            if _private(address):
                raise Failure(
                    "dns.private_address",
                    host=found.host,
                    address=address,
                    environment=p.environment.name if p.environment else "",
                )
    p.addresses = found.addresses
    return Outcome(
        f"{found.host} → {', '.join(found.addresses)} ({found.source})",
        {"addresses": list(found.addresses), "source": found.source},
    )


def connect(p: Probe) -> Outcome:
    sock, address, attempts = tcp.connect(
        p.addresses,
        p.port,
        timeout=p.timeout,
        alternatives=p.options.alternative_ports,
        alternative_timeout=min(p.options.alternative_timeout, p.wait),
    )
    p.session = Session(sock, p.timeout, p.transcript)
    p.address = address
    p.facts["address"] = address
    tried = [f"{a.address} {a.outcome}" for a in attempts]
    return Outcome(f"connected to {address} port {p.port}", {"attempts": tried})


def greeting(p: Probe) -> Outcome:
    try:
        reply = p.ask(None, label="the connection")
    except Failure as failure:
        if failure.kind == "timeout" and p.config.tls != "SSL/TLS" and speaks_tls(p):
            raise Failure("greeting.tls_mismatch", port=p.port) from None
        failure.context.update(port=p.port)
        raise
    if reply.code == 220:
        return Outcome(str(reply), {"banner": str(reply)})
    if reply.code == 421:
        raise Failure("greeting.busy", reply=str(reply))
    kind = "greeting.rejected" if reply.code == 554 else "greeting.unexpected"
    raise Failure(kind, reply=str(reply))


def parse_capabilities(lines: tuple[str, ...]) -> dict[str, str]:
    caps: dict[str, str] = {}
    for line in lines[1:]:
        keyword, _, params = line.partition(" ")
        if keyword:
            caps[keyword.upper()] = params.strip()
    return caps


def _ehlo(p: Probe, after_tls: bool) -> Outcome:
    helo = p.config.helo_hostname or "localhost"
    reply = p.ask(f"EHLO {helo}", label=f"EHLO {helo}")
    if reply.code != 250:
        raise Failure(reply_error(p.step, reply), command=f"EHLO {helo}", reply=str(reply))
    p.capabilities = parse_capabilities(reply.lines)
    shown = [f"{k} {v}".strip() for k, v in p.capabilities.items()]
    return Outcome(
        ", ".join(shown) or "no extensions", {"capabilities": shown, "after_tls": after_tls}
    )


def ehlo(p: Probe) -> Outcome:
    return _ehlo(p, after_tls=False)


def ehlo_tls(p: Probe) -> Outcome:
    return _ehlo(p, after_tls=True)


def offered_mechanisms(p: Probe) -> tuple[str, ...]:
    """The AUTH mechanisms the server offers; a Failure unless the configured one is among
    them."""
    mechanism = p.config.auth_protocol
    offered = tuple(p.capabilities.get("AUTH", "").upper().split())
    if "AUTH" not in p.capabilities:
        if p.config.tls == "None" and "STARTTLS" in p.capabilities:
            raise Failure("auth.starttls_first")  # login is offered only after STARTTLS
        raise Failure("auth.not_offered")
    if mechanism not in offered:
        raise Failure("auth.mechanism", mechanism=mechanism, offered=offered)
    return offered


def auth(p: Probe) -> Outcome:
    """AUTH with a password (OAuth2 configs: :func:`smtpops.probe.token_step.token_auth`)."""
    mechanism = p.config.auth_protocol
    offered = offered_mechanisms(p)
    if not isinstance(p.password, Secret):
        raise Failure("auth.no_password")
    username = p.config.username or ""
    assert p.session is not None
    try:
        reply = authenticate(p.session, mechanism, username, p.password)
    except ReadError as exc:
        raise Failure(
            f"auth.{exc.kind}", command=f"AUTH {mechanism}", seconds=p.wait, excerpt=exc.excerpt
        ) from None
    if reply.code != 235:
        raise Failure(
            reply_error("auth", reply, p.provider),
            reply=str(reply),
            username=username,
            provider=p.provider,
            command=f"AUTH {mechanism}",
        )
    p.facts["auth_mechanism"] = mechanism
    return Outcome(
        f"{mechanism} as {username}: {reply}", {"mechanism": mechanism, "offered": list(offered)}
    )


def envelope(p: Probe) -> Outcome:
    sender = p.config.sender
    if not sender:
        raise Failure("envelope.no_sender")
    recipient = p.send_to or p.options.dry_run_recipient or sender
    for role, address in (("sender", sender), ("recipient", recipient)):
        reason = mailbox.problem(address)
        if reason:  # nothing that is not one mailbox goes into MAIL FROM or RCPT TO
            raise Failure("envelope.bad_address", role=role, address=address, reason=reason)
    utf8 = (
        " SMTPUTF8" if not (sender + recipient).isascii() and "SMTPUTF8" in p.capabilities else ""
    )
    reply = p.ask(f"MAIL FROM:<{sender}>{utf8}")
    if reply.code != 250:
        raise Failure(
            _refusal(reply, "envelope.sender_refused"),
            reply=str(reply),
            sender=sender,
            command="MAIL FROM",
        )
    reply = p.ask(f"RCPT TO:<{recipient}>")
    if reply.code not in (250, 251):
        raise Failure(
            _refusal(reply, "envelope.recipient_refused"),
            reply=str(reply),
            recipient=recipient,
            command="RCPT TO",
        )
    p.facts["sender"] = sender
    accepted = f"sender {sender} and recipient {recipient} accepted"
    data = {"sender": sender, "recipient": recipient}
    if p.send_to:
        reply = p.ask("DATA")
        if reply.code != 354:
            raise Failure(
                _refusal(reply, "envelope.data_refused"), reply=str(reply), command="DATA"
            )
        return Outcome(f"{accepted}, server ready for the message (354)", data)
    # the dry run ends here: RSET cancels the transaction cleanly (a connection dropped
    # inside DATA looks like an attack in the provider's logs), then QUIT follows
    reply = p.ask("RSET")
    warnings = () if reply.code == 250 else (f"RSET answered {reply}, expected 250.",)
    return Outcome(
        f"{accepted}; RSET cancelled the transaction, so nothing was sent", data, warnings
    )


def _refusal(reply: Any, default: str) -> str:
    return "envelope.busy" if reply.code == 421 else default


def send(p: Probe) -> Outcome:
    if not p.send_to:
        return Outcome(
            "not requested (use --send-to ADDRESS to send a real test email)", skipped=True
        )
    # lazy(start-up): the email package (~5 ms) only when a real test email is sent
    from smtpops.probe.message import build as build_message

    payload = build_message(p.config, p.send_to, p.test_id)
    assert p.session is not None
    try:
        p.session.send_data(payload)
    except ReadError:
        raise Failure("send.closed", command="the message", seconds=p.wait) from None
    reply = p.ask(None, label="the end of the message")
    if reply.code != 250:
        raise Failure("send.busy" if reply.code == 421 else "send.rejected", reply=str(reply))
    return Outcome(
        f"accepted for delivery to {p.send_to}: {reply}",
        {"reply": str(reply), "test_id": p.test_id, "recipient": p.send_to},
    )


def quit_(p: Probe) -> Outcome:
    try:
        reply = p.ask("QUIT")
    except Failure as failure:
        return Outcome(
            "the server closed without answering QUIT",
            warnings=(f"QUIT got no answer ({failure.kind}); harmless.",),
        )
    finally:
        p.close()
    warnings = () if reply.code == 221 else (f"QUIT answered {reply}, expected 221.",)
    return Outcome(str(reply), warnings=warnings)
