"""``nodemailer``: JSON for ``nodemailer.createTransport(cfg.transport, cfg.defaults)``.

A pooled transport: ``maxConnections`` is the connection limit; the wait timeout becomes
``connectionTimeout`` and ``greetingTimeout``; the idle timeout becomes ``socketTimeout``
(nodemailer closes a pooled connection idle that long, which also bounds any one wait).
The custom headers and the sender go into ``defaults``, so every message carries them.
"""

from __future__ import annotations

import json
from typing import Any

from smtpops.delivery.formats.base import Context, Format, Rendered, refuse_auth, single


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
    if d.username:
        transport["authMethod"] = d.auth_protocol
        transport["auth"] = {
            "user": d.username,
            "pass": ctx.password.reveal() if ctx.password else "",
        }
    defaults: dict[str, Any] = {"headers": dict(d.headers)}
    if d.from_address:
        defaults["from"] = d.from_address
    return {
        "smtpops": {"config": d.config, "digest": d.digest, "retries": d.retries},
        "transport": transport,
        "defaults": defaults,
    }


def render(ctx: Context) -> Rendered:
    refuse_auth(ctx, "nodemailer")
    text = json.dumps(document(ctx), indent=2, ensure_ascii=False) + "\n"
    return single("nodemailer.json", text, plaintext=True)


FORMAT = Format(
    name="nodemailer",
    summary="Node.js nodemailer pooled transport options (password included)",
    render=render,
    plaintext=True,
)
