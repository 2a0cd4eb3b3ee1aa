"""``smtpops promote``: carry a config to the next environment."""

from __future__ import annotations

import click

from smtpops.cli import complete
from smtpops.cli._change import APPLY, FORMAT, WAIT, handover, run
from smtpops.cli.probe_flags import connection_test_flags, connection_test_options
from smtpops.services.deploy import promote as run_promote


@click.command()
@click.argument("name")
@click.option(
    "--from",
    "source",
    required=True,
    metavar="ENV",
    help="Environment to copy from.",
    shell_complete=complete.environments,
)
@click.option(
    "--to",
    "target",
    required=True,
    metavar="ENV",
    help="Environment to promote to.",
    shell_complete=complete.environments,
)
@click.option("--force", is_flag=True, help="Allow skipping environments of the order.")
@click.option(
    "--copy-credentials",
    is_flag=True,
    help="Also carry the username, and re-encrypt the password for the target "
    "(needs a key of the source environment).",
)
@click.option("--dry-run", is_flag=True, help="Validate and test, show the commit, write nothing.")
@WAIT
@connection_test_flags
@APPLY
@FORMAT
def promote(
    name: str,
    source: str,
    target: str,
    force: bool,
    copy_credentials: bool,
    dry_run: bool,
    wait: float,
    dns: tuple[str, ...],
    wait_timeout: float | None,
    apply_target: str | None,
    fmt: str,
) -> None:
    """Carry the settings of config NAME from one environment to the next.

    The target keeps its own username and password unless --copy-credentials is given.
    The result is validated under the target's policy and tested against its server before
    it becomes the active config of the target, in one commit.
    """
    options = connection_test_options(dns, wait_timeout)
    run(
        lambda: run_promote(
            name,
            source=source,
            target=target,
            force=force,
            copy_credentials=copy_credentials,
            options=options,
            dry_run=dry_run,
            wait=wait,
            handover=handover(apply_target),
        ),
        fmt,
    )
