"""Deploy, promote and rollback: each one gated change of an environment, one commit.

The connection test that gates the change is :func:`smtpops.services.connection.gate`, run
with the caller's :class:`~smtpops.services.connection.ConnectionTestOptions` (the same DNS
servers, timeouts and test log as ``smtpops test``). ``handover`` (:class:`smtpops.services.apply.Handover`) applies the
result to a runtime before the commit.
"""

from __future__ import annotations

from smtpops.gitops import deploy as _deploy
from smtpops.gitops import promote as _promote
from smtpops.gitops import rollback as _rollback
from smtpops.gitops.change import Handover, Outcome
from smtpops.services.connection import ConnectionTestOptions, gate

__all__ = ["Outcome", "deploy", "promote", "rollback"]

_DEFAULT = ConnectionTestOptions()


def deploy(
    ref: str,
    *,
    options: ConnectionTestOptions = _DEFAULT,
    dry_run: bool = False,
    wait: float = 0.0,
    handover: Handover | None = None,
) -> Outcome:
    """Test the committed config ``ref`` (a path or ENV/NAME) and make it the one active
    config of its environment. ``wait``: seconds to wait for another change to finish."""
    return _deploy.deploy(ref, gate=gate(options), dry_run=dry_run, wait=wait, handover=handover)


def promote(
    name: str,
    *,
    source: str,
    target: str,
    force: bool = False,
    copy_credentials: bool = False,
    options: ConnectionTestOptions = _DEFAULT,
    dry_run: bool = False,
    wait: float = 0.0,
    handover: Handover | None = None,
) -> Outcome:
    """Carry config ``name`` from environment ``source`` to ``target`` and activate it there,
    keeping the target's credentials unless ``copy_credentials``."""
    return _promote.promote(
        name,
        source=source,
        target=target,
        force=force,
        copy_credentials=copy_credentials,
        gate=gate(options),
        dry_run=dry_run,
        wait=wait,
        handover=handover,
    )


def rollback(
    env: str,
    *,
    to: str | None = None,
    options: ConnectionTestOptions = _DEFAULT,
    dry_run: bool = False,
    wait: float = 0.0,
    handover: Handover | None = None,
) -> Outcome:
    """Re-activate the previous good config of ``env`` (or the one ``to`` names: a commit or
    a config name) after a connection test, and pin ``env``."""
    return _rollback.rollback(
        env, to=to, gate=gate(options), dry_run=dry_run, wait=wait, handover=handover
    )
