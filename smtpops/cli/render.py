"""``smtpops render``: the active config of an environment as the artefact a consumer reads."""

from __future__ import annotations

import sys

import click

from smtpops.errors import UsageError
from smtpops.services import render as service


def _format_names() -> list[str]:
    # the names only: the registry itself loads when the command runs
    return ["json", "env", "k8s-secret", "django", "spring", "nodemailer", "postfix"]


@click.command()
@click.argument("env")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(_format_names()),
    default="json",
    show_default=True,
    help="What to render (README: 'Connect the CRM').",
)
@click.option(
    "--output",
    "-o",
    metavar="PATH",
    help="Write to PATH (created 0600 when it holds the password; a folder for postfix) "
    "instead of stdout. Never inside the repository for plaintext formats.",
)
@click.option("--rev", metavar="REV", help="Render what was active at this commit.")
@click.option(
    "--option",
    "options",
    multiple=True,
    metavar="NAME=VALUE",
    help="Format options: k8s-secret name=, namespace=; postfix directory=, retry_interval=.",
)
@click.option(
    "--force", is_flag=True, help="Print the password (or access token) to a terminal anyway."
)
def render(
    env: str,
    fmt: str,
    output: str | None,
    rev: str | None,
    options: tuple[str, ...],
    force: bool,
) -> None:
    """Render the active config of ENV (at --rev, default the working tree).

    The content digest (over the settings and the encrypted password, never the plaintext)
    goes to stderr and into the output where the format allows. Formats other than
    k8s-secret carry the plaintext password: they go to a pipe or a 0600 file only.

    An OAuth2 config (XOAUTH2/OAUTHBEARER) gets a fresh access token instead (json, env,
    spring, nodemailer: it expires within about an hour), or its oauth settings encrypted
    (k8s-secret); django and postfix cannot sign in with a token and refuse.
    """
    chosen = service.get_format(fmt)
    parsed = service.render_options(fmt, output, service.parse_options(chosen, options))
    if chosen.directory and not output:
        raise UsageError(
            f"the {fmt} format is a folder of files",
            hint="Give --output DIR (outside the repository).",
        )
    if output is None and chosen.plaintext and sys.stdout.isatty() and not force:
        raise UsageError(
            f"the {fmt} output holds the password (or access token) in plain text; not printing "
            "it on a terminal",
            hint="Pipe it (| your-loader), write it with --output FILE, or add --force.",
        )
    result = service.render(env, fmt, rev=rev, options=parsed)
    if output is None:
        sys.stdout.write(result.text)
        sys.stdout.flush()
        click.echo(f"{result.config} digest {result.digest}", err=True)
        return
    written = service.write(result, output)
    what = "unchanged (same digest)" if written.unchanged else "wrote"
    for path in written.written:
        click.echo(f"{what} {path}", err=True)
    click.echo(f"{result.config} digest {result.digest}", err=True)
