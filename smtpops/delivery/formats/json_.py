"""``json``: every setting as one JSON object, the plaintext password included; for an OAuth2
config (XOAUTH2/OAUTHBEARER) ``password`` is null and ``access_token`` holds a fresh token,
with ``access_token_expires_at`` (seconds since the epoch)."""

from __future__ import annotations

import json

from smtpops.delivery.formats.base import Context, Format, Rendered, single, token_note


def document(ctx: Context) -> dict[str, object]:
    d = ctx.delivery
    meta: dict[str, object] = {"format": 1, "config": d.config, "digest": d.digest}
    body: dict[str, object] = {
        "smtpops": meta,
        "host": d.host,
        "port": d.port,
        "tls": d.tls,
        "verify_certificate": d.verify_certificate,
        "ca_file": d.ca_path,
        "ca_pem": d.ca_pem.decode("ascii", "replace") if d.ca_pem else None,
        "auth_protocol": d.auth_protocol,
        "username": d.username,
        "password": ctx.password.reveal() if ctx.password and not d.uses_token else None,
        "from_address": d.from_address,
        "helo_hostname": d.helo_hostname,
        "max_connections": d.max_connections,
        "retries": d.retries,
        "idle_timeout": d.idle_timeout,
        "wait_timeout": d.wait_timeout,
        "custom_headers": dict(d.headers),
    }
    if d.uses_token:
        token = ctx.access_token()
        body["access_token"] = token.value.reveal()
        body["access_token_expires_at"] = int(token.expires_at)
        meta["note"] = token_note(ctx)
    return body


def render(ctx: Context) -> Rendered:
    text = json.dumps(document(ctx), indent=2, ensure_ascii=False) + "\n"
    return single("smtp.json", text, plaintext=True)


FORMAT = Format(
    name="json",
    summary="every setting as one JSON object (password or access token included)",
    render=render,
    plaintext=True,
)
