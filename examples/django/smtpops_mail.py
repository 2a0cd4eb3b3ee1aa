"""A Django email backend that applies what smtpops renders beyond Django's own settings.

Put this file on the CRM's Python path and set
``EMAIL_BACKEND = "smtpops_mail.EmailBackend"``. It reads, when present:

- ``SMTPOPS_HELO_HOSTNAME``: the EHLO name (Django otherwise sends the machine's FQDN);
- ``SMTPOPS_AUTH_PROTOCOL``: LOGIN, PLAIN or CRAM-MD5, used exactly (smtplib would pick);
- ``SMTPOPS_EMAIL_HEADERS``: headers added to every message (the config's value replaces
  a header of the same name the message already has, so it is never doubled);
- ``SMTPOPS_CA_FILE`` / ``SMTPOPS_VERIFY_CERTIFICATE``: the CA to trust, or no check.

``smtpops render ENV --format django`` writes them; ``settings_from_env.py`` reads the same
from the variables ``smtpops exec`` sets.
"""

from __future__ import annotations

import smtplib
import ssl
from typing import Any

from django.conf import settings
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.utils.functional import cached_property


def _connection_class(base: type[smtplib.SMTP], helo: str | None, mechanism: str | None) -> Any:
    class Connection(base):  # type: ignore[misc, valid-type]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            if helo:
                kwargs["local_hostname"] = helo
            super().__init__(*args, **kwargs)

        def login(self, user: str, password: str, *, initial_response_ok: bool = True) -> Any:
            if not mechanism:
                return super().login(user, password, initial_response_ok=initial_response_ok)
            self.ehlo_or_helo_if_needed()
            self.user, self.password = user, password
            methods = {
                "LOGIN": self.auth_login,
                "PLAIN": self.auth_plain,
                "CRAM-MD5": self.auth_cram_md5,
            }
            return self.auth(mechanism, methods[mechanism], initial_response_ok=initial_response_ok)

    return Connection


class EmailBackend(SMTPBackend):
    @property
    def connection_class(self) -> Any:
        base = smtplib.SMTP_SSL if self.use_ssl else smtplib.SMTP
        helo = getattr(settings, "SMTPOPS_HELO_HOSTNAME", None)
        mechanism = getattr(settings, "SMTPOPS_AUTH_PROTOCOL", None)
        return _connection_class(base, helo, mechanism)

    @cached_property
    def ssl_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(cafile=getattr(settings, "SMTPOPS_CA_FILE", None))
        if not getattr(settings, "SMTPOPS_VERIFY_CERTIFICATE", True):
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        if self.ssl_certfile or self.ssl_keyfile:
            context.load_cert_chain(self.ssl_certfile, self.ssl_keyfile)
        return context

    def _send(self, email_message: Any) -> bool:
        headers = getattr(settings, "SMTPOPS_EMAIL_HEADERS", None) or {}
        if headers:
            own = {k.lower(): k for k in email_message.extra_headers}
            for name, value in headers.items():
                email_message.extra_headers.pop(own.get(name.lower(), name), None)
                email_message.extra_headers[name] = value
        sent: bool = super()._send(email_message)
        return sent
