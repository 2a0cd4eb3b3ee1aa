"""Apply targets: runtimes smtpops hands the active config to (Postfix today).

The typed API the CLI, deploy and the agent share::

    result = targets.apply("postfix", plan, {"config_dir": "/etc/postfix"})
    result.changed, result.reloaded, result.held, result.digest

A :class:`Plan` with no delivery holds mail (the environment is inactive). Every target is
idempotent (nothing changes or reloads when its state digest is unchanged) and atomic (a
failure leaves the running configuration as it was).
"""

from __future__ import annotations

from collections.abc import Mapping

from smtpops.delivery import hooks, oauth_support
from smtpops.delivery.plan import ApplyResult, Plan, Target
from smtpops.delivery.postfix import target as postfix_target
from smtpops.errors import UsageError

__all__ = [
    "ApplyResult",
    "Plan",
    "Target",
    "apply",
    "check_options",
    "get",
    "names",
    "refuse_sign_in",
]


REGISTRY: dict[str, Target] = {
    t.name: t for t in (postfix_target.TARGET, hooks.FILE, hooks.COMMAND)
}


def names() -> tuple[str, ...]:
    return tuple(REGISTRY)


def get(name: str) -> Target:
    found = REGISTRY.get(name)
    if found is None:
        raise UsageError(
            f"'{name}' is not an apply target", hint=f"Use one of: {', '.join(REGISTRY)}."
        )
    return found


def check_options(target: Target, options: Mapping[str, str]) -> None:
    unknown = sorted(set(options) - set(target.options))
    if unknown:
        raise UsageError(
            f"unknown option(s) for the {target.name} target: {', '.join(unknown)}",
            hint=f"It takes: {', '.join(target.options)}.",
        )


def refuse_sign_in(target: Target, plan: Plan) -> None:
    """A sign-in the target cannot use (an OAuth2 token for Postfix), in plain words, before
    anything is asked for or written."""
    if plan.delivery is not None:
        oauth_support.require(target.oauth, plan.delivery, f"the {target.name} target")


def apply(name: str, plan: Plan, options: Mapping[str, str] | None = None) -> ApplyResult:
    target = get(name)
    check_options(target, options or {})
    refuse_sign_in(target, plan)
    return target.apply(plan, options or {})
