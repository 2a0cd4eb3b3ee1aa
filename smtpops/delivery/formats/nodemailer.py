"""``nodemailer``: JSON for ``nodemailer.createTransport(cfg.transport, cfg.defaults)``.

A pooled transport: ``maxConnections`` is the connection limit; the wait timeout becomes
``connectionTimeout`` and ``greetingTimeout``; the idle timeout becomes ``socketTimeout``
(nodemailer closes a pooled connection idle that long, which also bounds any one wait).
The custom headers and the sender go into ``defaults``, so every message carries them.

An XOAUTH2 config gets nodemailer's provider-agnostic OAuth2 form, ``auth: {type: "OAuth2",
user, accessToken, expires}`` (``expires`` in milliseconds since the epoch): a fresh token that
lasts about an hour. A long-running program renews it itself through nodemailer's
``provisionCallback`` (examples/README.md: it runs ``smtpops token ENV/NAME``). The client
secret, refresh token or key never leave their encrypted file. nodemailer has no OAUTHBEARER.
"""

from __future__ import annotations

import json
from typing import Any

from smtpops.delivery.formats.base import (
    Context,
    Format,
    Rendered,
    refuse_auth,
    single,
    token_note,
)
from smtpops.delivery.oauth_support import XOAUTH2_TOKEN


def document(ctx: Context) -> dict[str, Any]:
    d = ctx.delivery
    transport: dict[str, Any] = {
        "pool": True,
        "host": d.host,
        "port": d.port,
        "secure": d.implicit_tls,
        "requireTLS": d.starttls,
        "ignoreTLS": d.tls == "None",
        "name": d.helo_hostname,
        "maxConnections": d.max_connections,
        "connectionTimeout": d.wait_timeout * 1000,
        "greetingTimeout": d.wait_timeout * 1000,
        "socketTimeout": d.idle_timeout * 1000,
        "tls": {"rejectUnauthorized": d.verify_certificate, "servername": d.host},
    }
    if d.ca_pem:
        transport["tls"]["ca"] = d.ca_pem.decode("ascii", "replace")
    meta: dict[str, Any] = {"config": d.config, "digest": d.digest, "retries": d.retries}
    if d.uses_token:
        token = ctx.access_token()
        transport["authMethod"] = d.auth_protocol
        transport["auth"] = {
            "type": "OAuth2",
            "user": d.username or "",
            "accessToken": token.value.reveal(),
            "expires": int(token.expires_at) * 1000,
        }
        meta["note"] = token_note(ctx)
    elif d.username:
        transport["authMethod"] = d.auth_protocol
        transport["auth"] = {
            "user": d.username,
            "pass": ctx.password.reveal() if ctx.password else "",
        }
    defaults: dict[str, Any] = {"headers": dict(d.headers)}
    if d.from_address:
        defaults["from"] = d.from_address
    return {
        "smtpops": meta,
        "transport": transport,
        "defaults": defaults,
    }


def render(ctx: Context) -> Rendered:
    refuse_auth(ctx, "nodemailer")
    text = json.dumps(document(ctx), indent=2, ensure_ascii=False) + "\n"
    return single("nodemailer.json", text, plaintext=True)


FORMAT = Format(
    name="nodemailer",
    summary="Node.js nodemailer pooled transport options (password or access token included)",
    render=render,
    plaintext=True,
    oauth=XOAUTH2_TOKEN,
)
