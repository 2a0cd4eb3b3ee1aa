"""``smtpops exec``: run a command with the active config in its environment."""

from __future__ import annotations

import click

from smtpops.services import execute


@click.command(context_settings={"ignore_unknown_options": True, "allow_interspersed_args": False})
@click.argument("env")
@click.option("--rev", metavar="REV", help="Use what was active at this commit.")
@click.argument("command", nargs=-1, required=True, type=click.UNPROCESSED)
@click.pass_context
def exec_(ctx: click.Context, env: str, rev: str | None, command: tuple[str, ...]) -> None:
    """Run COMMAND with the active config of ENV in SMTP_* variables (the env format).

    The password is decrypted in memory and reaches COMMAND only through its environment
    (SMTP_PASSWORD), never its arguments. An OAuth2 config gets a fresh access token the
    same way (SMTP_ACCESS_TOKEN, SMTP_ACCESS_TOKEN_EXPIRES_AT; SMTP_PASSWORD empty). Exits
    with COMMAND's status; 1 when the token endpoint refuses (COMMAND is not run).

    Example: smtpops exec production -- python manage.py sendtestemail it@example.com
    """
    args = list(command)
    if args and args[0] == "--":
        args = args[1:]
    ctx.exit(execute.run(env, args, rev=rev))
