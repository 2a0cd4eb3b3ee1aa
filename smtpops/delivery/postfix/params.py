"""A config as Postfix 3.x ``main.cf`` parameters. The mapping (README "Postfix relay"):

- host/port → ``relayhost = [host]:port``; mail leaves through a transport of its own,
  ``smtpops`` (a master.cf entry running smtp(8)), so the limits below touch nothing else.
- tls → ``smtp_tls_security_level`` (``secure`` when verify_certificate, else ``encrypt``;
  ``none`` for tls None), ``smtp_tls_wrappermode = yes`` for SSL/TLS (465), ``ca_file`` →
  ``smtp_tls_CAfile`` (else the system CAs). Postfix checks certificates by name only, so
  a verified host must be a name, not an IP address.
- username/password → SASL with a 0600 ``sasl_passwd`` hash map; ``auth_protocol`` →
  ``smtp_sasl_mechanism_filter``; a failed sign-in defers mail (soft bounce), never loses it.
- helo_hostname → ``smtp_helo_name``.
- max_connections → ``smtpops_destination_concurrency_limit`` and the transport's process
  limit in master.cf: at most that many smtp(8) processes, each with one session, so the
  relay never sees more sessions (the concurrency limit alone lets a finished delivery's
  QUIT overlap the next session).
- idle_timeout → ``smtp_connection_cache_time_limit`` and ``connection_cache_ttl_limit``
  (an unused cached connection is closed after that long); ``smtp_tls_connection_reuse``
  lets TLS sessions be cached too (through Postfix's tlsproxy service, added to master.cf
  when it is missing).
- wait_timeout → every per-command timeout of the SMTP client (connect, greeting/HELO,
  STARTTLS, MAIL, RCPT, DATA, end of data, RSET, QUIT).
- retries → exponential backoff: attempts at 0, b, 2b, 4b, … (b = ``retry_interval``,
  default 300 s, Postfix's own) with ``maximal_queue_lifetime`` between the last wanted
  attempt and the next, so mail is returned after about ``retries`` retries. Postfix
  retries by time, not by count: a slow server or a busy queue can shift the count by one.
  ``retries: 0`` maps exactly (lifetime 0: one attempt).
- custom headers → each header once on every message submitted over SMTP, replacing a
  copy the message already has (see :mod:`.tables`).
- inactive (hold) → ``defer_transports = smtpops, smtp, relay``: mail stays queued, unsent, and
  does not expire for ``hold_lifetime`` (default 5 days).
"""

from __future__ import annotations

import ipaddress
import math

from smtpops.delivery import oauth_support
from smtpops.delivery.values import Delivery
from smtpops.errors import InputError

MECHANISMS = {"LOGIN": "login", "PLAIN": "plain", "CRAM-MD5": "cram-md5"}
TIMEOUTS = (
    "smtp_connect_timeout",
    "smtp_helo_timeout",
    "smtp_starttls_timeout",
    "smtp_xforward_timeout",
    "smtp_mail_timeout",
    "smtp_rcpt_timeout",
    "smtp_data_init_timeout",
    "smtp_data_xfer_timeout",
    "smtp_data_done_timeout",
    "smtp_rset_timeout",
    "smtp_quit_timeout",
)
TRANSPORT = "smtpops"
HOLD_TRANSPORTS = f"{TRANSPORT}, smtp, relay"
DEFAULT_RETRY_INTERVAL = 300
DEFAULT_HOLD_LIFETIME = 5 * 86400
MERGED = ("smtpd_data_restrictions", "header_checks")  # the operator's own value is kept after ours


def refuse(d: Delivery) -> None:
    """What Postfix cannot do, as a clear error before anything is written."""
    oauth_support.require(oauth_support.POSTFIX, d, "Postfix")
    if d.auth_protocol not in MECHANISMS:
        raise InputError(
            f"{d.config}: Postfix cannot sign in with {d.auth_protocol}: its SASL client (Cyrus) "
            "needs a plugin Debian does not ship for that",
            hint="Use LOGIN, PLAIN or CRAM-MD5 with Postfix, or let the CRM send directly "
            "(render --format django/spring/nodemailer).",
        )
    if d.verify_certificate and d.tls != "None":
        try:
            ipaddress.ip_address(d.host)
        except ValueError:
            pass
        else:
            raise InputError(
                f"{d.config}: Postfix verifies certificates by host name only, and the host is "
                f"the IP address {d.host}",
                hint="Set host to the server's name as its certificate lists it.",
            )


def backoff(retries: int, interval: int) -> dict[str, str]:
    if retries <= 0:
        lifetime, longest = 0, interval
    else:
        longest = interval * 2 ** (retries - 1)
        lifetime = math.ceil(3 * longest / 4)
    return {
        "queue_run_delay": f"{interval}s",
        "minimal_backoff_time": f"{interval}s",
        "maximal_backoff_time": f"{max(interval, longest)}s",
        "maximal_queue_lifetime": f"{lifetime}s",
        "bounce_queue_lifetime": f"{lifetime}s",
    }


def tls(d: Delivery, ca_file: str | None) -> dict[str, str]:
    if d.tls == "None":
        return {"smtp_tls_security_level": "none", "smtp_tls_wrappermode": "no"}
    found = {
        "smtp_tls_security_level": "secure" if d.verify_certificate else "encrypt",
        "smtp_tls_wrappermode": "yes" if d.implicit_tls else "no",
        "smtp_tls_connection_reuse": "yes",  # so idle_timeout's connection cache covers TLS
    }
    if d.verify_certificate:
        found["smtp_tls_secure_cert_match"] = "nexthop"
        if ca_file:
            found["smtp_tls_CAfile"] = ca_file
        else:
            found["tls_append_default_CA"] = "yes"
    return found


def sasl(d: Delivery, password_map: str | None) -> dict[str, str]:
    if not d.username or password_map is None:
        return {"smtp_sasl_auth_enable": "no"}
    return {
        "smtp_sasl_auth_enable": "yes",
        "smtp_sasl_password_maps": password_map,
        "smtp_sasl_mechanism_filter": MECHANISMS[d.auth_protocol],
        "smtp_sasl_security_options": "noanonymous",
        "smtp_sasl_tls_security_options": "noanonymous",
        "smtp_sasl_auth_soft_bounce": "yes",
    }


def parameters(
    d: Delivery,
    *,
    ca_file: str | None,
    password_map: str | None,
    prepend_tables: list[str],
    header_checks: str | None,
    retry_interval: int = DEFAULT_RETRY_INTERVAL,
) -> dict[str, str]:
    """The managed parameters; ``*_tables``/``*_map``/``ca_file`` are where the files live."""
    refuse(d)
    found = {
        "relayhost": f"[{d.host}]:{d.port}",
        "default_transport": TRANSPORT,
        "smtp_host_lookup": "dns, native",
        "smtp_helo_name": d.helo_hostname,
        **tls(d, ca_file),
        **sasl(d, password_map),
        f"{TRANSPORT}_destination_concurrency_limit": str(d.max_connections),
        "smtp_connection_cache_time_limit": f"{d.idle_timeout}s",
        "connection_cache_ttl_limit": f"{d.idle_timeout}s",
        **{name: f"{d.wait_timeout}s" for name in TIMEOUTS},
        **backoff(d.retries, retry_interval),
    }
    if prepend_tables:
        found["smtpd_data_restrictions"] = ", ".join(
            f"check_sender_access regexp:{table}" for table in prepend_tables
        )
    if header_checks:
        found["header_checks"] = f"regexp:{header_checks}"
    return found


def service(chroot: str, max_connections: int) -> str:
    """The master.cf entry of the relay transport (``postconf -M`` syntax)."""
    return f"{TRANSPORT}/unix={TRANSPORT} unix - - {chroot} - {max_connections} smtp"


def tlsproxy(chroot: str) -> str:
    """The standard tlsproxy entry, added when master.cf has none (Debian ships it commented)."""
    return f"tlsproxy/unix=tlsproxy unix - - {chroot} - 0 tlsproxy"


def hold(params: dict[str, str], lifetime: int = DEFAULT_HOLD_LIFETIME) -> dict[str, str]:
    """``params`` with sending switched off: mail stays queued and does not expire."""
    held = dict(params)
    held["defer_transports"] = HOLD_TRANSPORTS
    held["maximal_queue_lifetime"] = held["bounce_queue_lifetime"] = f"{lifetime}s"
    return held
