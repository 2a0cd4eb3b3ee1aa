"""``smtpops deactivate`` and ``smtpops remove``."""

from __future__ import annotations

import click

from smtpops.cli import complete
from smtpops.cli._change import APPLY, FORMAT, WAIT, handover, run
from smtpops.errors import UsageError
from smtpops.gitops import workspace
from smtpops.gitops.lifecycle import active_of
from smtpops.gitops.lifecycle import deactivate as run_deactivate
from smtpops.gitops.lifecycle import remove as run_remove
from smtpops.services import apply as service

YES = click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")


def _confirm(question: str, yes: bool) -> None:
    if yes:
        return
    try:
        confirmed = click.confirm(question, default=False, err=True)
    except click.Abort:
        confirmed = False
    if not confirmed:
        raise UsageError(
            "not confirmed; nothing was changed", hint="Answer y to go ahead, or add --yes."
        )


@click.command()
@click.argument("env", shell_complete=complete.environments)
@YES
@WAIT
@APPLY
@FORMAT
def deactivate(env: str, yes: bool, wait: float, apply_target: str | None, fmt: str) -> None:
    """Switch off the active config of ENV: the CRM stops sending email from ENV.

    With an apply target (--apply postfix, or the environment's `apply:` setting) the relay
    holds outgoing mail in its queue; the number of queued messages is shown first.
    """

    active = ", ".join(active_of(env)) or "none"
    click.echo(
        f"Warning: email sending from {env} stops until a config is deployed again "
        f"(active now: {active}).",
        err=True,
    )
    _show_queue(env, apply_target)
    _confirm(f"Deactivate {env}?", yes)
    run(lambda: run_deactivate(env, wait=wait, handover=handover(apply_target)), fmt)


def _show_queue(env: str, apply_target: str | None) -> None:
    choice = service.choose(workspace.open_at(), env, apply_target)
    if choice is None:
        return
    count = service.queued(env, choice)
    where = service.location(choice)
    click.echo(
        f"{count} message(s) are queued in {choice.target} ({where}); they and all new mail "
        f"will be held, unsent, until a config of {env} is deployed again.",
        err=True,
    )


@click.command()
@click.argument("config", shell_complete=complete.configs)
@YES
@WAIT
@FORMAT
def remove(config: str, yes: bool, wait: float, fmt: str) -> None:
    """Delete an inactive CONFIG (a path or ENV/NAME) in one commit; history keeps it."""

    _confirm(f"Remove {config}?", yes)
    run(lambda: run_remove(config, wait=wait), fmt)
