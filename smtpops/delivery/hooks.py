"""Two more apply targets, for runtimes that are not Postfix:

- ``file``: the active config as a file a consumer reads (``path``; ``format`` ``env`` —
  dotenv with the ``SMTP_*`` names — or ``json``), written 0600 atomically; an inactive
  environment removes it, so a consumer that finds no file sends nothing;
- ``command``: a hook (``run``: a program and its arguments, split like a shell would, no
  shell) run with the ``SMTP_*`` variables in its environment (the password only there,
  never in argv), plus ``SMTPOPS_HOLD=1`` when the environment is inactive; a non-zero exit
  is a failed apply.

Both are idempotent by digest: ``file`` compares what is on disk, the caller (the agent, or
deploy's handover) skips a ``command`` whose digest it already applied.
"""

from __future__ import annotations

import contextlib
import json
import os
import shlex
import subprocess
from collections.abc import Mapping

from smtpops import atomic
from smtpops.delivery import values
from smtpops.delivery.plan import ApplyResult, Plan, Target
from smtpops.errors import InputError, UsageError

FILE_FORMATS = ("env", "json")


def _result(
    name: str, plan: Plan, where: str, *, changed: bool, notes: tuple[str, ...] = ()
) -> ApplyResult:
    digest = plan.delivery.digest if plan.delivery else None
    token = plan.token if plan.delivery and plan.delivery.uses_token else None
    return ApplyResult(
        target=name,
        environment=plan.environment,
        location=where,
        config=plan.delivery.config if plan.delivery else None,
        digest=digest,
        state=digest or "hold",
        changed=changed,
        reloaded=False,
        held=plan.hold,
        running=True,
        notes=notes,
        token_expires_at=token.expires_at if token else None,
    )


def _file_bytes(plan: Plan, fmt: str) -> bytes:
    assert plan.delivery is not None
    variables = values.env_vars(plan.delivery, plan.password, plan.token)
    if fmt == "json":
        return (json.dumps(variables, indent=2, ensure_ascii=False) + "\n").encode()
    lines = [f"{k}={shlex.quote(v)}" for k, v in variables.items()]
    return ("\n".join(lines) + "\n").encode()


def apply_file(plan: Plan, options: Mapping[str, str]) -> ApplyResult:
    path = options.get("path")
    if not path:
        raise UsageError("the file target needs path=FILE", hint="e.g. path=/run/crm/smtp.env")
    fmt = options.get("format", "env")
    if fmt not in FILE_FORMATS:
        raise UsageError(f"format={fmt}: the file target writes {' or '.join(FILE_FORMATS)}")
    path = os.path.abspath(path)
    if plan.hold:
        existed = os.path.exists(path)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
        return _result("file", plan, path, changed=existed)
    data = _file_bytes(plan, fmt)
    try:
        with open(path, "rb") as handle:
            if handle.read() == data:
                return _result("file", plan, path, changed=False)
    except OSError:
        pass
    try:
        atomic.write_bytes(path, data, mode=0o600)
    except OSError as exc:
        raise InputError(f"{path}: cannot be written ({exc.strerror})") from None
    return _result("file", plan, path, changed=True)


def apply_command(plan: Plan, options: Mapping[str, str]) -> ApplyResult:
    argv = shlex.split(options.get("run", ""))
    if not argv:
        raise UsageError(
            "the command target needs run=PROGRAM [ARGS]", hint="e.g. run='systemctl reload crm'"
        )
    env = dict(os.environ)
    if plan.delivery is not None:
        env |= values.env_vars(plan.delivery, plan.password, plan.token)
    env["SMTPOPS_ENVIRONMENT"] = plan.environment
    env["SMTPOPS_HOLD"] = "1" if plan.hold else "0"
    try:
        proc = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=300)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise InputError(f"the apply hook {argv[0]} could not run ({type(exc).__name__})") from None
    finally:
        env.clear()  # the secret leaves this frame only through the child's environment
    if proc.returncode != 0:
        raise InputError(
            f"the apply hook {argv[0]} failed with exit code {proc.returncode}",
            hint="Run it by hand with `smtpops exec ENV -- ...` to see why.",
        )
    return _result("command", plan, argv[0], changed=True)


def _nothing_queued(options: Mapping[str, str]) -> int:
    raise UsageError("this target has no mail queue of its own")


def _file_location(options: Mapping[str, str]) -> str:
    return os.path.abspath(options.get("path") or "(no path given)")


def _command_location(options: Mapping[str, str]) -> str:
    argv = shlex.split(options.get("run", ""))
    return argv[0] if argv else "(no command given)"


FILE = Target(
    name="file",
    summary="a file the CRM reads (SMTP_* as dotenv or JSON, 0600)",
    options=("path", "format"),
    apply=apply_file,
    queued=_nothing_queued,
    location=_file_location,
)
COMMAND = Target(
    name="command",
    summary="a hook run with the SMTP_* variables in its environment",
    options=("run",),
    apply=apply_command,
    queued=_nothing_queued,
    location=_command_location,
)
