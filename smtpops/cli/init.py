"""``smtpops init``: lay out a new config repository."""

from __future__ import annotations

import os

import click

from smtpops.services import layout


@click.command()
@click.argument("directory", default=".", type=click.Path(file_okay=False))
@click.option(
    "--update-schema",
    is_flag=True,
    help="Replace schemas/smtp-config.schema.json with the installed smtpops' schema.",
)
def init(directory: str, update_schema: bool) -> None:
    """Lay out a config repository in DIRECTORY (default: here).

    Creates what is missing: configs/environments.yaml, .sops.yaml, the schema the configs'
    editor modeline points at (schemas/), the pull-request and deploy workflows,
    .pre-commit-config.yaml, .github/CODEOWNERS and .gitignore. A file that exists is never
    changed (except the schema, with --update-schema). Safe to run again.
    """
    os.makedirs(directory, exist_ok=True)
    laid = layout.lay_out(directory, update_schema=update_schema)
    where = os.path.relpath(directory)
    for rel in laid.created:
        click.echo(f"  created  {rel}")
    for rel in laid.kept:
        click.echo(f"  kept     {rel} (exists; left as it is)")
    if laid.schema_differs:
        click.echo(
            f"Note: {layout.SCHEMA_REL} is not the schema of the installed smtpops; editors "
            "check against it. Refresh it with `smtpops init --update-schema`."
        )
    if not laid.created:
        click.echo(f"✓ {where}: everything is in place already; nothing was changed.")
        return
    click.echo(f"✓ {where}: {len(laid.created)} file(s) created, {len(laid.kept)} kept.")
    click.echo(
        "Next: `smtpops keys init --env development` (your key for an environment), then "
        "`smtpops new`, `smtpops validate`, and commit."
    )
