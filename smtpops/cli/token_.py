"""``smtpops token``: print a fresh OAuth2 access token for a config (the only command that
prints one), for consumers that take a token (nodemailer, Spring) and for scripts."""

from __future__ import annotations

import json
import sys

import click

from smtpops.cli.options import format_option
from smtpops.errors import CheckFailed, UsageError


@click.command()
@click.argument("config")
@format_option("text", "json")
def token(config: str, fmt: str) -> None:
    """Print a fresh access token for CONFIG (a path or ENV/NAME) on standard output.

    Decrypts the oauth block in memory (your age key), asks the token endpoint, and prints
    only the token (text) or the token with its expiry (json). Nothing is written; treat the
    output like a password (it is valid for about an hour). Failures are explained on
    standard error. Exit 0 token printed, 1 the endpoint refused, 2 bad input.
    """
    import os

    from smtpops import discovery, yamlio
    from smtpops.encryption import decrypt_credentials
    from smtpops.model import Config
    from smtpops.oauth.credentials import OAuthCredentials
    from smtpops.oauth.token import TokenError, acquire
    from smtpops.probe.token_advice import explain

    path = discovery.resolve_name(config)
    data = yamlio.load_path(path).data
    settings = Config.from_raw(data if isinstance(data, dict) else {})
    if not settings.uses_token or settings.oauth is None:
        raise UsageError(
            f"{path} signs in with a password ({settings.auth_protocol}), not an OAuth2 token",
            hint="Only configs with auth_protocol: XOAUTH2 or OAUTHBEARER have a token.",
        )
    credentials = decrypt_credentials(path)
    assert isinstance(credentials, OAuthCredentials)
    item = discovery.classify(path)
    root = os.path.dirname(item.configs_dir) if item.configs_dir else os.getcwd()
    try:
        got = acquire(settings, credentials, base_dir=root, fresh=True)
    except TokenError as exc:
        context = {
            "flow": settings.oauth.flow or "",
            "tenant": settings.oauth.tenant or "",
            "client_id": settings.oauth.client_id or "",
            "endpoint": exc.endpoint,
            "code": exc.code,
            "description": exc.description,
        }
        message, hint = explain(f"token.{exc.kind}", context) or (exc.kind, "")
        raise CheckFailed(
            credentials.scrub(f"no token for {path}: {message}"), hint=credentials.scrub(hint)
        ) from None
    if fmt == "json":
        document = {
            "access_token": got.value.reveal(),
            "token_type": "Bearer",
            "expires_in": got.expires_in(),
            "expires_at": int(got.expires_at),
            "scopes": list(got.scopes),
            "endpoint": got.endpoint,
        }
        sys.stdout.write(json.dumps(document) + "\n")
    else:
        sys.stdout.write(got.value.reveal() + "\n")
    sys.stdout.flush()
    click.echo(
        f"token for {settings.username} from {got.endpoint}, valid for "
        f"{got.expires_in() // 60} min",
        err=True,
    )
