"""``deactivate``, ``remove`` and ``unpin``: changes that need no connection test."""

from __future__ import annotations

from smtpops.errors import GitOpsError
from smtpops.gitops import workspace
from smtpops.gitops.change import Change, Handover, Outcome, apply


def active_of(env: str) -> list[str]:
    ws = workspace.open_at()
    ws.environment(env)
    return [f"{env}/{c.name}" for c in ws.configs(env) if c.active]


def deactivate(
    env: str, *, wait: float = 0.0, handover: Handover | None = None, start: str = "."
) -> Outcome:
    ws = workspace.open_at(start)
    ws.environment(env)
    active = [c.name for c in ws.configs(env) if c.active]
    if not active:
        raise GitOpsError(
            f"{env} has no active config; nothing to switch off",
            hint=f"`smtpops status --env {env}` shows its configs.",
        )
    change = Change(
        action="deactivate",
        env=env,
        name=None,
        gated=False,
        respect_pin=False,
        subject=f"Deactivate {env}: no SMTP config is active",
        body=[
            f"{', '.join(f'{env}/{n}' for n in active)} switched off; the CRM sends no "
            f"email from {env} until a config is deployed again."
        ],
        handover=handover,
    )
    return apply(ws, change, wait=wait)


def remove(ref: str, *, wait: float = 0.0) -> Outcome:
    ws, env, name = workspace.for_config(ref)
    configs = ws.configs(env)
    item = next(c for c in configs if c.name == name)
    if item.active:
        raise GitOpsError(
            f"{env}/{name} is the active config of {env}; removing it would stop email",
            hint=f"Deploy another config first, or `smtpops deactivate {env}`, then remove it.",
        )
    if len(configs) == 1:
        raise GitOpsError(
            f"{env}/{name} is the only config of {env}",
            hint="Add another config first if you mean to replace it.",
        )
    change = Change(
        action="remove",
        env=env,
        name=None,
        gated=False,
        activate=False,
        respect_pin=False,
        subject=f"Remove {env}/{name}",
        writes={item.rel: None},
        body=[f"{env}/{name} was not active; its file is deleted (git history keeps it)."],
        trailers={"Config": f"{env}/{name}"},
    )
    return apply(ws, change, wait=wait)


def unpin(env: str, *, wait: float = 0.0) -> Outcome:
    ws = workspace.open_at()
    ws.environment(env)
    pin = ws.pins().get(env)
    if pin is None:
        raise GitOpsError(f"{env} is not pinned", hint="Deploys to it are already allowed.")
    change = Change(
        action="unpin",
        env=env,
        name=None,
        gated=False,
        activate=False,
        respect_pin=False,
        unpin=True,
        subject=f"Unpin {env}: deploys are allowed again",
        body=[f"{env} had been pinned to {pin.config} since {pin.at} by {pin.by} ({pin.reason})."],
    )
    return apply(ws, change, wait=wait)
