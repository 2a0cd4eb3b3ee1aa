"""The failure class of an unexpected server reply (``auth.failed``, ``ehlo.rejected``...):
what a step records. What to tell the user about each class is :mod:`smtpops.probe.advice`,
loaded only when a step fails."""

from __future__ import annotations

from smtpops.probe.session import Reply


def reply_error(step: str, reply: Reply, provider: str | None = None) -> str:
    """The failure class of an unexpected reply in ``step``."""
    code, enhanced, text = reply.code, reply.enhanced, reply.text.lower()
    if code == 421:
        return f"{step}.busy"
    if step != "auth":
        return f"{step}.rejected"
    if enhanced == "5.7.9" and (provider == "gmail" or "application-specific" in text):
        return "auth.app_password"
    if enhanced == "5.7.139":
        return "auth.smtp_auth_disabled"
    if enhanced == "5.7.30" or "basic authentication is not supported" in text:
        return "auth.basic_disabled"  # advice: smtpops.probe.token_advice
    if code in (530, 538):
        return "auth.tls_required"
    if code == 432 or enhanced == "4.3.2" or "too many" in text:
        return "auth.too_many"
    if code == 535:
        return "auth.failed"
    if 400 <= code < 500:
        return "auth.temporary"
    return "auth.rejected"
