"""``env``: a dotenv file of the ``SMTP_*`` variables that ``smtpops exec`` sets.

Values are quoted so that sh/bash (``. file``), systemd ``EnvironmentFile=``, docker
compose ``env_file`` and python-dotenv all read them back exactly: single quotes (literal
everywhere), or double quotes with ``\\ " $ ` `` escaped when the value has a single quote.
An OAuth2 config gets ``SMTP_ACCESS_TOKEN`` and ``SMTP_ACCESS_TOKEN_EXPIRES_AT`` (a fresh,
short-lived token) and an empty ``SMTP_PASSWORD``.
"""

from __future__ import annotations

import re

from smtpops.delivery.formats.base import Context, Format, Rendered, single, token_note
from smtpops.delivery.values import env_vars

_BARE = re.compile(r"^[A-Za-z0-9_./:@+,-]*$")


def quote(value: str) -> str:
    if _BARE.match(value):
        return value
    if "'" not in value:
        return f"'{value}'"
    escaped = re.sub(r'([\\"$`])', r"\\\1", value)
    return f'"{escaped}"'


def lines(values: dict[str, str]) -> list[str]:
    return [f"{name}={quote(value)}" for name, value in values.items()]


def render(ctx: Context) -> Rendered:
    d = ctx.delivery
    head = [
        f"# SMTP settings of {d.config}, rendered by `smtpops render {d.environment} --format env`",
        f"# digest {d.digest}; holds the password: keep it out of git, readable only by the CRM",
    ]
    if d.uses_token:
        head[1] = f"# digest {d.digest}; {token_note(ctx)}. Keep it out of git."
    text = "\n".join(head + lines(env_vars(d, ctx.password, ctx.token))) + "\n"
    return single("smtp.env", text, plaintext=True)


FORMAT = Format(
    name="env",
    summary="dotenv SMTP_* variables, the names `smtpops exec` sets (password or token included)",
    render=render,
    plaintext=True,
)
