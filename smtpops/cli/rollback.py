"""``smtpops rollback`` and ``smtpops unpin``."""

from __future__ import annotations

import click

from smtpops.cli._change import DNS, FORMAT, WAIT, nameservers, run


@click.command()
@click.argument("env")
@click.option(
    "--to",
    "to",
    metavar="REV|CONFIG",
    help="A commit (what was active there) or a config name; default: the config "
    "active before the current one.",
)
@click.option("--dry-run", is_flag=True, help="Test, show the commit, write nothing.")
@DNS
@WAIT
@FORMAT
def rollback(
    env: str, to: str | None, dry_run: bool, dns: tuple[str, ...], wait: float, fmt: str
) -> None:
    """Re-activate the previous good config of ENV, as a new commit, after a connection test.

    ENV is then pinned: deploys to it are refused until `smtpops unpin ENV`, so an automatic
    deploy cannot undo the rollback.
    """
    from smtpops.gitops.rollback import rollback as run_rollback

    servers = nameservers(dns)
    run(lambda: run_rollback(env, to=to, dry_run=dry_run, wait=wait, nameservers=servers), fmt)


@click.command()
@click.argument("env")
@WAIT
@FORMAT
def unpin(env: str, wait: float, fmt: str) -> None:
    """Allow deploys to ENV again after a rollback (one commit)."""
    from smtpops.gitops.lifecycle import unpin as run_unpin

    run(lambda: run_unpin(env, wait=wait), fmt)
