"""Use case: run a command with the active config of an environment in its environment
variables (the ``env`` format's ``SMTP_*`` names), like ``sops exec-env``. The password is
decrypted in memory and passed only through the child's environment, never its argv. An
OAuth2 config (XOAUTH2/OAUTHBEARER) gets a fresh access token instead, the same way
(``SMTP_ACCESS_TOKEN``, ``SMTP_ACCESS_TOKEN_EXPIRES_AT``; ``SMTP_PASSWORD`` empty)."""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Sequence

from smtpops.delivery import source as sources
from smtpops.delivery import values
from smtpops.delivery.oauth_support import ANY_TOKEN
from smtpops.errors import SmtpopsError, UsageError
from smtpops.services import access_token

SUPPORT = ANY_TOKEN  # a child gets a fresh token whatever the mechanism


class CommandFailed(SmtpopsError):
    """The command could not be started (127: not found, 126: not executable)."""

    exit_code = 127


def variables(env: str, *, rev: str | None = None) -> dict[str, str]:
    src = sources.load_active(env, rev=rev)
    sources.check_valid(src)
    delivery = values.from_source(src)
    handed = access_token.for_delivery(src, delivery, SUPPORT, "smtpops exec")
    return values.env_vars(delivery, sources.decrypt(src), handed.token)


def run(env: str, command: Sequence[str], *, rev: str | None = None) -> int:
    """Run ``command``; its exit status (128+N when a signal N ended it)."""
    if not command:
        raise UsageError("no command given", hint="Write: smtpops exec ENV -- COMMAND [ARGS…]")
    child_env = {**os.environ, **variables(env, rev=rev)}
    try:
        proc = subprocess.Popen(list(command), env=child_env)
    except FileNotFoundError:
        raise CommandFailed(
            f"{command[0]}: command not found", hint="Check the command name and your PATH."
        ) from None
    except PermissionError:
        error = CommandFailed(f"{command[0]}: permission denied", hint="Is it executable?")
        error.exit_code = 126
        raise error from None
    finally:
        del child_env

    def forward(signum: int, frame: object) -> None:
        proc.send_signal(signum)  # e.g. systemd stopping the service: the child decides

    previous = {}
    for signum in (signal.SIGTERM, signal.SIGHUP):
        try:
            previous[signum] = signal.signal(signum, forward)
        except ValueError:  # not the main thread
            break
    try:
        while True:
            try:
                code = proc.wait()
                break
            except KeyboardInterrupt:  # the child got the same SIGINT; wait for it
                continue
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    return 128 - code if code < 0 else code


__all__ = ["CommandFailed", "run", "variables"]
