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
from smtpops.services.connection import ConnectionTestOptions, TestFailed, gate

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
    try:
        return _rollback.rollback(
            env, to=to, gate=gate(options), dry_run=dry_run, wait=wait, handover=handover
        )
    except TestFailed as exc:
        failure = exc.report.failure
        if failure is None or failure.error not in _rollback.PASSWORD_REFUSED:
            raise
        raise _password_refused(exc, env, _rollback.restored(env, to)) from None


def _password_refused(exc: TestFailed, env: str, what: _rollback.Restored) -> TestFailed:
    """A rollback whose test failed at login: say whose password was tried, and why that one
    (a rollback restores the whole file of a commit, password included)."""
    failure = exc.report.failure
    reply = ((failure.message if failure else "") or "").rstrip(".")
    if what.password_changed is not None:
        sha, subject = what.password_changed
        why = (
            f" Its password was changed after it, in commit {sha[:12]} ({subject}); a rollback "
            "restores the whole file of that commit, so it tried the old password, which the "
            "server no longer accepts."
        )
    elif what.password_differs:
        why = (
            " A rollback restores the whole file of that commit, password included, and that "
            "password differs from the current one."
        )
    else:
        why = " A rollback restores the whole file of that commit, password included."
    label = f"{env}/{what.name}"
    return TestFailed(
        f"the connection test of {label} as restored from commit {what.sha[:12]} failed, so "
        f"nothing was changed: the server refused the password stored in that commit "
        f"({reply}).{why}",
        hint=f"Roll back to a revision made after the password change (`smtpops rollback {env} "
        f"--to REV`; `smtpops history --env {env}` lists them), or put those settings back by "
        f"hand, set the current password with `smtpops secrets set-password {what.rel}` and "
        f"run `smtpops deploy {label}`.",
        report=exc.report,
    )
