"""``deploy``: test a committed config and make it the one active config of its environment."""

from __future__ import annotations

from smtpops.gitops import workspace
from smtpops.gitops.change import Change, Handover, Outcome, apply
from smtpops.gitops.gate import Gate


def deploy(
    ref: str,
    *,
    gate: Gate | None = None,
    dry_run: bool = False,
    wait: float = 0.0,
    handover: Handover | None = None,
) -> Outcome:
    ws, env, name = workspace.for_config(ref)
    active = [c.name for c in ws.configs(env) if c.active and c.name != name]
    body = [f"{env}/{name} is now the active SMTP config of {env}."]
    body += [f"{env}/{other} is no longer active." for other in active]
    change = Change(
        action="deploy",
        env=env,
        name=name,
        subject=f"Deploy {env}/{name}: make it the active SMTP config of {env}",
        body=body,
        handover=handover,
    )
    return apply(ws, change, gate=gate, dry_run=dry_run, wait=wait)
