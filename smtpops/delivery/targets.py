"""Apply targets: runtimes smtpops hands the active config to (Postfix today).

The typed API the CLI, deploy and the agent share::

    result = targets.apply("postfix", plan, {"config_dir": "/etc/postfix"})
    result.changed, result.reloaded, result.held, result.digest

A :class:`Plan` with no delivery holds mail (the environment is inactive). Every target is
idempotent (nothing changes or reloads when its state digest is unchanged) and atomic (a
failure leaves the running configuration as it was).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from smtpops.delivery.values import Delivery
from smtpops.errors import UsageError
from smtpops.secret import Secret


@dataclass(frozen=True, slots=True, kw_only=True)
class Plan:
    environment: str
    delivery: Delivery | None  # None: no active config, so hold outgoing mail
    password: Secret | None = None

    @property
    def hold(self) -> bool:
        return self.delivery is None


@dataclass(frozen=True, slots=True, kw_only=True)
class ApplyResult:
    """What an apply did. No field holds a secret."""

    target: str
    environment: str
    location: str  # e.g. the Postfix configuration directory
    config: str | None  # ENV/NAME delivered; None when held without one
    digest: str | None  # the config's digest (None when nothing was ever applied)
    state: str  # the target's state digest (config digest + options + hold)
    changed: bool
    reloaded: bool
    held: bool
    running: bool
    queued: int | None = None
    notes: tuple[str, ...] = ()

    def summary(self) -> str:
        what = self.config or self.environment
        if not self.changed:
            return f"{self.target}: {what} is already applied to {self.location}; nothing reloaded"
        reload = "reloaded" if self.reloaded else "not running, so not reloaded"
        if self.held:
            return (
                f"{self.target}: {self.location} holds the outgoing mail of {self.environment} "
                f"in its queue, unsent ({reload})"
            )
        return f"{self.target}: {self.location} now relays through {what} ({reload})"


@dataclass(frozen=True, slots=True, kw_only=True)
class Target:
    name: str
    summary: str
    options: tuple[str, ...]
    apply: Callable[[Plan, Mapping[str, str]], ApplyResult]
    queued: Callable[[Mapping[str, str]], int]
    location: Callable[[Mapping[str, str]], str]  # where it applies, for messages


def _postfix() -> Target:
    from smtpops.delivery.postfix import target

    return target.TARGET


REGISTRY: dict[str, Callable[[], Target]] = {"postfix": _postfix}


def names() -> tuple[str, ...]:
    return tuple(REGISTRY)


def get(name: str) -> Target:
    factory = REGISTRY.get(name)
    if factory is None:
        raise UsageError(
            f"'{name}' is not an apply target", hint=f"Use one of: {', '.join(REGISTRY)}."
        )
    return factory()


def check_options(target: Target, options: Mapping[str, str]) -> None:
    unknown = sorted(set(options) - set(target.options))
    if unknown:
        raise UsageError(
            f"unknown option(s) for the {target.name} target: {', '.join(unknown)}",
            hint=f"It takes: {', '.join(target.options)}.",
        )


def apply(name: str, plan: Plan, options: Mapping[str, str] | None = None) -> ApplyResult:
    target = get(name)
    check_options(target, options or {})
    return target.apply(plan, options or {})
