"""The TLS and certificate steps: STARTTLS (never a plaintext fallback) or implicit TLS, the
negotiated version and cipher, then the certificate with the CA check and the host name check
reported separately."""

from __future__ import annotations

import contextlib
import os
import ssl
import time

from smtpops import repopath
from smtpops.probe import tls
from smtpops.probe.connect import _try
from smtpops.probe.failure import Failure
from smtpops.probe.reply_errors import reply_error
from smtpops.probe.session import ReadError, Session
from smtpops.probe.state import Outcome, Probe

TLS_CHECK_SECONDS = 0.6  # TCP connect + a TLS hello; leaves room within wait_timeout + 1 s


def ca_path(p: Probe) -> str | None:
    ca_file = p.config.ca_file
    if not ca_file or not p.config.verify_certificate:
        return None
    base = p.options.base_dir  # the repository root; None for a library call without one
    if base is not None and not repopath.is_inside(base, ca_file):
        raise Failure("tls.ca_file", ca_file=ca_file, reason="it is outside the repository")
    path = os.path.realpath(os.path.join(base or ".", ca_file))
    if not os.path.isfile(path):
        raise Failure("tls.ca_file", ca_file=ca_file, reason="no such file")
    return path


def _context(p: Probe, *, verify: bool) -> ssl.SSLContext:
    cafile = ca_path(p)
    try:
        return tls.context(verify=verify, ca_file=cafile)
    except (ssl.SSLError, OSError) as exc:
        reason = getattr(exc, "reason", None) or "not a PEM certificate file"
        raise Failure("tls.ca_file", ca_file=p.config.ca_file, reason=str(reason).lower()) from None


def _reason(exc: BaseException) -> str:
    if isinstance(exc, ssl.SSLError):
        return (exc.reason or exc.strerror or str(exc)).replace("_", " ").lower()
    if isinstance(exc, TimeoutError):
        return "no answer in time"
    if isinstance(exc, (ConnectionError, EOFError, OSError)):
        return "the server closed the connection during the handshake"
    return type(exc).__name__


def _handshake(p: Probe, session: Session) -> None:
    verify = p.config.verify_certificate
    context = _context(p, verify=verify)
    try:
        sock = session.upgrade(context, p.host)
    except ssl.SSLCertVerificationError as exc:
        p.verify_error = exc
        p.negotiated = _unverified(p)
        if p.negotiated is None:
            raise Failure("tls.handshake", reason=_reason(exc)) from None
        return
    except (ssl.SSLError, OSError) as exc:
        if p.config.tls == "SSL/TLS" and tls.speaks_plaintext(exc):
            raise Failure("tls.mode_mismatch", port=p.port) from None
        if isinstance(exc, TimeoutError):
            raise Failure("tls.no_answer", port=p.port, mode=p.config.tls) from None
        raise Failure("tls.handshake", reason=_reason(exc)) from None
    p.negotiated = tls.negotiated(sock)


def _unverified(p: Probe) -> tls.Negotiated | None:
    """A second connection without verification, only to read the certificate's facts; it
    ends with QUIT and a TLS shutdown like the first."""
    if p.address is None:
        return None
    sock, _ = _try(p.address, p.port, p.timeout())
    if sock is None:
        return None
    session = Session(sock, p.timeout)
    try:
        if p.config.tls == "STARTTLS":
            session.read_reply()
            session.command(f"EHLO {p.config.helo_hostname or 'localhost'}")
            if session.command("STARTTLS").code != 220:
                return None
        found = tls.negotiated(session.upgrade(tls.context(verify=False, ca_file=None), p.host))
        with contextlib.suppress(ReadError, Failure, OSError):
            if p.config.tls == "SSL/TLS":
                session.read_reply()  # the greeting, inside TLS, before the goodbye
            session.quit(p.grace())
        return found
    except (ReadError, ssl.SSLError, OSError):
        return None
    finally:
        session.close(p.grace())


def speaks_tls(p: Probe) -> bool:
    """Does the server answer a TLS handshake straight away (implicit TLS)? Asked after the
    greeting's full wait, so it gets only what keeps the whole test within wait + 1 s."""
    if p.address is None:
        return False
    budget = time.monotonic() + max(0.0, min(TLS_CHECK_SECONDS, p.remaining()))

    def left() -> float:
        return max(budget - time.monotonic(), 0.01)

    sock, _ = _try(p.address, p.port, left())
    if sock is None:
        return False
    session = Session(sock, left)
    try:
        session.upgrade(tls.context(verify=False, ca_file=None), p.host)
        return True
    except (ssl.SSLError, OSError):
        return False
    finally:
        session.close(min(left(), 0.2))


def tls_step(p: Probe) -> Outcome:
    mode = p.config.tls
    if mode == "None":
        return Outcome(
            "not used (tls: None): everything, the password too, travels unencrypted",
            skipped=True,
            warnings=("tls is None: the connection is not encrypted.",),
        )
    assert p.session is not None
    if mode == "STARTTLS":
        if "STARTTLS" not in p.capabilities:
            raise Failure("tls.not_offered")
        reply = p.ask("STARTTLS")
        if reply.code != 220:
            error = reply_error("tls", reply)
            raise Failure(
                error if error.endswith("busy") else "tls.rejected",
                reply=str(reply),
                command="STARTTLS",
            )
    _handshake(p, p.session)
    assert p.negotiated is not None
    p.facts["tls_version"] = p.negotiated.version
    p.facts["cipher"] = p.negotiated.cipher
    how = "STARTTLS" if mode == "STARTTLS" else "implicit TLS"
    return Outcome(
        f"{how}: {p.negotiated.version}, {p.negotiated.cipher}",
        {"mode": mode, "version": p.negotiated.version, "cipher": p.negotiated.cipher},
    )


def certificate_step(p: Probe) -> Outcome:
    if p.config.tls == "None":
        return Outcome("not used (no TLS)", skipped=True)
    assert p.negotiated is not None
    if not p.negotiated.der:
        raise Failure("tls.handshake", reason="the server sent no certificate")
    cert = tls.facts(p.negotiated)
    matches = tls.hostname_matches(p.host, cert)
    data: dict[str, object] = cert.to_dict()
    warnings: list[str] = []
    if 0 <= cert.days_left < tls.WARN_DAYS:
        warnings.append(
            f"The certificate expires in {cert.days_left} days ({cert.not_after}); "
            "ask the server's admin to renew it."
        )
    if not p.config.verify_certificate:
        data |= {"ca_check": "not checked", "hostname_check": "matches" if matches else "mismatch"}
        warnings.append("verify_certificate is false: the server's identity was not checked.")
        detail = f"{_facts(cert)}; not verified (verify_certificate: false)"
        return Outcome(detail, data, tuple(warnings))
    exc = p.verify_error
    if exc is None:
        data |= {"ca_check": "passed", "hostname_check": "passed"}
        return Outcome(
            f"{_facts(cert)}; CA check passed; host name check passed", data, tuple(warnings)
        )
    assert isinstance(exc, ssl.SSLCertVerificationError)
    reason = exc.verify_message or _reason(exc)
    context = {
        "host": p.host,
        "names": cert.names,
        "reason": reason,
        "issuer": cert.issuer,
        "not_after": cert.not_after,
        "ca_file": p.config.ca_file,
    }
    if exc.verify_code in tls.HOSTNAME_MISMATCH:
        data |= {"ca_check": "passed", "hostname_check": f"failed: {reason}"}
        raise Failure("certificate.hostname", _facts(cert), data=data, **context)
    data |= {
        "ca_check": f"failed: {reason}",
        "hostname_check": "passed" if matches else "failed: name not on the certificate",
    }
    kind = "certificate.expired" if exc.verify_code in tls.EXPIRED else "certificate.untrusted"
    raise Failure(kind, _facts(cert), data=data, **context)


def _facts(cert: tls.Certificate) -> str:
    return (
        f"{cert.subject}, for {', '.join(cert.names) or 'no names'}, issued by {cert.issuer}, "
        f"valid until {cert.not_after} ({cert.days_left} days)"
    )
