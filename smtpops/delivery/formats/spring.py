"""``spring``: ``application.properties`` lines for Spring Boot's ``JavaMailSender``.

Jakarta Mail waits forever by default; the wait timeout becomes its ``connectiontimeout``,
``timeout`` and ``writetimeout`` (milliseconds). A private CA becomes a Spring Boot 3.1+
SSL bundle. Custom headers and the digest are ``smtpops.mail.*`` properties for the
application to read (examples/spring).

An XOAUTH2 config signs in as Jakarta Mail documents it: ``mail.smtp.auth.mechanisms=XOAUTH2``
and the access token as ``spring.mail.password``. A token lasts about an hour, so the file
says when it expires (``smtpops.mail.access-token-expires-at``); run the application under
``smtpops exec`` (or render again) rather than keep it longer. Jakarta Mail has no
OAUTHBEARER, so that is refused (``Format.oauth``).
"""

from __future__ import annotations

from smtpops.delivery.formats.base import (
    Context,
    Format,
    Rendered,
    refuse_auth,
    single,
    token_note,
)
from smtpops.delivery.oauth_support import XOAUTH2_TOKEN

PROPS = "spring.mail.properties.mail.smtp"


def escape(text: str, *, key: bool = False) -> str:
    """A java.util.Properties key or value (ISO-8859-1 file, \\uXXXX for the rest)."""
    out = []
    for i, ch in enumerate(text):
        code = ord(ch)
        if ch == "\\":
            out.append("\\\\")
        elif (key and ch in "=:#!") or (ch == " " and (key or i == 0)):
            out.append("\\" + ch)
        elif ch == "\t":
            out.append("\\t")
        elif code < 0x20 or code > 0x7E:
            out.extend(f"\\u{unit:04x}" for unit in _utf16(ch))
        else:
            out.append(ch)
    return "".join(out)


def _utf16(ch: str) -> list[int]:
    data = ch.encode("utf-16-be")
    return [int.from_bytes(data[i : i + 2], "big") for i in range(0, len(data), 2)]


def properties(ctx: Context) -> list[tuple[str, str]]:
    d = ctx.delivery
    ms = str(d.wait_timeout * 1000)
    auth = bool(d.username)
    if d.uses_token:
        secret = ctx.access_token().value.reveal()
    else:
        secret = ctx.password.reveal() if ctx.password else ""
    props = [
        ("spring.mail.host", d.host),
        ("spring.mail.port", str(d.port)),
        ("spring.mail.username", d.username or ""),
        ("spring.mail.password", secret),
        ("spring.mail.protocol", "smtp"),
        ("spring.mail.default-encoding", "UTF-8"),
        (f"{PROPS}.auth", "true" if auth else "false"),
        (f"{PROPS}.auth.mechanisms", d.auth_protocol),
        (f"{PROPS}.starttls.enable", "true" if d.starttls else "false"),
        (f"{PROPS}.starttls.required", "true" if d.starttls else "false"),
        (f"{PROPS}.ssl.enable", "true" if d.implicit_tls else "false"),
        (f"{PROPS}.ssl.checkserveridentity", "true" if d.verify_certificate else "false"),
        (f"{PROPS}.localhost", d.helo_hostname),
        (f"{PROPS}.connectiontimeout", ms),
        (f"{PROPS}.timeout", ms),
        (f"{PROPS}.writetimeout", ms),
    ]
    if d.from_address:
        props.append((f"{PROPS}.from", d.from_address))
    if not d.verify_certificate and d.tls != "None":
        props.append((f"{PROPS}.ssl.trust", d.host))
    if d.ca_path and d.verify_certificate:
        props += [
            ("spring.mail.ssl.enabled", "true" if d.implicit_tls else "false"),
            ("spring.mail.ssl.bundle", "smtpops"),
            ("spring.ssl.bundle.pem.smtpops.truststore.certificate", f"file:{d.ca_path}"),
        ]
    props += [(f"smtpops.mail.headers.{name}", value) for name, value in d.headers]
    props += [("smtpops.mail.config", d.config), ("smtpops.mail.digest", d.digest)]
    if d.uses_token:
        expires = str(int(ctx.access_token().expires_at))
        props.append(("smtpops.mail.access-token-expires-at", expires))
    return props


def render(ctx: Context) -> Rendered:
    refuse_auth(ctx, "spring")
    d = ctx.delivery
    head = [
        f"# Spring Boot mail settings of {d.config}, rendered by "
        f"`smtpops render {d.environment} --format spring`",
        f"# digest {d.digest}. Holds the password: keep it out of git.",
    ]
    if d.uses_token:
        head[1] = f"# digest {d.digest}. This file {token_note(ctx)}. Keep it out of git."
    body = [f"{escape(k, key=True)}={escape(v)}" for k, v in properties(ctx)]
    return single("smtp.properties", "\n".join(head + body) + "\n", plaintext=True)


FORMAT = Format(
    name="spring",
    summary="Spring Boot spring.mail.* properties with finite timeouts (password or access token included)",
    render=render,
    plaintext=True,
    oauth=XOAUTH2_TOKEN,
)
