"""``smtpops deploy``: test a config and make it the active one of its environment."""

from __future__ import annotations

import click

from smtpops.cli import complete
from smtpops.cli._change import APPLY, FORMAT, WAIT, handover, run
from smtpops.cli.probe_flags import connection_test_flags, connection_test_options
from smtpops.services.deploy import deploy as run_deploy


@click.command()
@click.argument("config", shell_complete=complete.configs)
@click.option(
    "--dry-run",
    is_flag=True,
    help="Validate and run the connection test, show the commit, write nothing.",
)
@WAIT
@connection_test_flags
@APPLY
@FORMAT
def deploy(
    config: str,
    dry_run: bool,
    wait: float,
    dns: tuple[str, ...],
    wait_timeout: float | None,
    apply_target: str | None,
    fmt: str,
) -> None:
    """Test CONFIG (a path or ENV/NAME) and make it the active config of its environment.

    Validation errors or a failed connection test stop the deploy and change nothing. On
    success one commit switches `active:` on CONFIG and off on the config that was active,
    with the test evidence in its trailers. Exit 0 deployed, 1 refused or failed, 2 bad input.
    """
    options = connection_test_options(dns, wait_timeout)
    step = handover(apply_target)
    run(
        lambda: run_deploy(config, options=options, dry_run=dry_run, wait=wait, handover=step),
        fmt,
    )
