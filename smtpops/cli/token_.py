"""``smtpops token``: print a fresh OAuth2 access token for a config (the only command that
prints one), for consumers that take a token (nodemailer, Spring) and for scripts."""

from __future__ import annotations

import json
import sys

import click

from smtpops.cli import complete
from smtpops.cli.options import format_option
from smtpops.services import repository
from smtpops.services.access_token import fresh_token


@click.command()
@click.argument("config", shell_complete=complete.configs)
@format_option("text", "json")
def token(config: str, fmt: str) -> None:
    """Print a fresh access token for CONFIG (a path or ENV/NAME) on standard output.

    Decrypts the oauth block in memory (your age key), asks the token endpoint, and prints
    only the token (text) or the token with its expiry (json). Nothing is written; treat the
    output like a password (it is valid for about an hour). Failures are explained on
    standard error. Exit 0 token printed, 1 the endpoint refused, 2 bad input.
    """
    settings, got = fresh_token(repository.target(config))
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
