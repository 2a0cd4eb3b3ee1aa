"""The typed records of applying a config to a runtime: what to run (:class:`Plan`), what
a target is (:class:`Target`) and what an apply did (:class:`ApplyResult`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from smtpops.delivery.oauth_support import ANY_TOKEN, OAuthSupport
from smtpops.delivery.values import Delivery
from smtpops.oauth.grant import AccessToken
from smtpops.records import record
from smtpops.secret import Secret


@record(frozen=True, kw_only=True)
class Plan:
    environment: str
    delivery: Delivery | None  # None: no active config, so hold outgoing mail
    password: Secret | None = None
    token: AccessToken | None = None  # an OAuth2 config: a fresh access token, for the target

    @property
    def hold(self) -> bool:
        return self.delivery is None


@record(frozen=True, kw_only=True)
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
    token_expires_at: float | None = None  # when the access token it handed over expires

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


@record(frozen=True, kw_only=True)
class Target:
    name: str
    summary: str
    options: tuple[str, ...]
    apply: Callable[[Plan, Mapping[str, str]], ApplyResult]
    queued: Callable[[Mapping[str, str]], int]
    location: Callable[[Mapping[str, str]], str]  # where it applies, for messages
    oauth: OAuthSupport = ANY_TOKEN  # what it does with an XOAUTH2/OAUTHBEARER config
