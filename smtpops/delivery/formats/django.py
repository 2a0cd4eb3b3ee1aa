"""``django``: a settings module for Django's SMTP backend.

``EMAIL_USE_TLS`` (STARTTLS) and ``EMAIL_USE_SSL`` (implicit TLS) are never both true;
``EMAIL_TIMEOUT`` is the wait timeout. What the stock backend cannot express (the HELO name,
custom headers, a private CA, an unverified certificate) is given as ``SMTPOPS_*`` settings
(and the exact sign-in method) that ``examples/django/smtpops_mail.py`` applies.

An OAuth2 config (XOAUTH2/OAUTHBEARER) is refused for good (``Format.oauth``): the stock
backend signs in with smtplib's ``login()``, which has no XOAUTH2.
"""

from __future__ import annotations

from smtpops.delivery.formats.base import Context, Format, Rendered, refuse_auth, single
from smtpops.delivery.oauth_support import DJANGO


def render(ctx: Context) -> Rendered:
    refuse_auth(ctx, "django", ("LOGIN", "PLAIN", "CRAM-MD5"))
    d = ctx.delivery
    settings: list[tuple[str, object]] = [
        ("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend"),
        ("EMAIL_HOST", d.host),
        ("EMAIL_PORT", d.port),
        ("EMAIL_HOST_USER", d.username or ""),
        ("EMAIL_HOST_PASSWORD", ctx.password.reveal() if ctx.password else ""),
        ("EMAIL_USE_TLS", d.starttls),
        ("EMAIL_USE_SSL", d.implicit_tls),
        ("EMAIL_TIMEOUT", d.wait_timeout),
        ("DEFAULT_FROM_EMAIL", d.from_address or d.username or ""),
        ("SMTPOPS_HELO_HOSTNAME", d.helo_hostname),
        ("SMTPOPS_AUTH_PROTOCOL", d.auth_protocol),
        ("SMTPOPS_EMAIL_HEADERS", dict(d.headers)),
        ("SMTPOPS_CA_FILE", d.ca_path),
        ("SMTPOPS_VERIFY_CERTIFICATE", d.verify_certificate),
        ("SMTPOPS_CONFIG", d.config),
        ("SMTPOPS_DIGEST", d.digest),
    ]
    head = [
        f"# Django email settings of {d.config}, rendered by "
        f"`smtpops render {d.environment} --format django`.",
        f"# digest {d.digest}. Holds the password: keep it out of git.",
        "# Django opens one connection per send; SMTPOPS_* need examples/django/smtpops_mail.py.",
    ]
    body = [f"{name} = {value!r}" for name, value in settings]
    return single("smtp_settings.py", "\n".join(head + body) + "\n", plaintext=True)


FORMAT = Format(
    name="django",
    summary="Django EMAIL_* settings (password included)",
    render=render,
    plaintext=True,
    oauth=DJANGO,
)
