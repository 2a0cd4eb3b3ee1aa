"""``smtpops rollback`` and ``smtpops unpin``."""

from __future__ import annotations

import click

from smtpops.cli import complete
from smtpops.cli._change import APPLY, FORMAT, WAIT, handover, run
from smtpops.cli.probe_flags import connection_test_flags, connection_test_options
from smtpops.gitops.lifecycle import unpin as run_unpin
from smtpops.services.deploy import rollback as run_rollback


@click.command()
@click.argument("env", shell_complete=complete.environments)
@click.option(
    "--to",
    "to",
    metavar="REV|CONFIG",
    help="A commit (what was active there) or a config name; default: the config "
    "active before the current one.",
)
@click.option("--dry-run", is_flag=True, help="Test, show the commit, write nothing.")
@WAIT
@connection_test_flags
@APPLY
@FORMAT
def rollback(
    env: str,
    to: str | None,
    dry_run: bool,
    wait: float,
    dns: tuple[str, ...],
    wait_timeout: float | None,
    apply_target: str | None,
    fmt: str,
) -> None:
    """Re-activate the previous good config of ENV, as a new commit, after a connection test.

    ENV is then pinned: deploys to it are refused until `smtpops unpin ENV`, so an automatic
    deploy cannot undo the rollback.
    """
    options = connection_test_options(dns, wait_timeout)
    step = handover(apply_target)
    run(
        lambda: run_rollback(
            env, to=to, options=options, dry_run=dry_run, wait=wait, handover=step
        ),
        fmt,
    )


@click.command()
@click.argument("env", shell_complete=complete.environments)
@WAIT
@FORMAT
def unpin(env: str, wait: float, fmt: str) -> None:
    """Allow deploys to ENV again after a rollback (one commit)."""

    run(lambda: run_unpin(env, wait=wait), fmt)
