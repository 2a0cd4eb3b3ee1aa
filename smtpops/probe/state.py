"""The state one connection test carries from step to step, and its time budget."""

from __future__ import annotations

import time
from dataclasses import field
from typing import TYPE_CHECKING, Any

from smtpops.model import Config
from smtpops.oauth.credentials import OAuthCredentials
from smtpops.probe.failure import Failure
from smtpops.probe.resolve import strip_host
from smtpops.probe.result import ProbeOptions
from smtpops.probe.session import ReadError, Reply, Session
from smtpops.probe.tls import Negotiated
from smtpops.records import record
from smtpops.secret import Secret
from smtpops.settings import Environment

if TYPE_CHECKING:
    from smtpops.oauth.token import AccessToken

GOODBYE_SECONDS = 1.0
_PROVIDER_HOSTS = {"gmail": "gmail", "google": "gmail", "office365": "office365", "yahoo": "yahoo"}


def provider_of(config: Config) -> str | None:
    """The provider family advice is worded for: the config's provider, else its host."""
    name = (config.provider or "").lower()
    for needle, family in _PROVIDER_HOSTS.items():
        if needle in name or (not name and needle in (config.host or "").lower()):
            return family
    return name or None


@record(frozen=True)
class Outcome:
    """What a step found: a one-line detail, data for JSON, warnings; or that it was skipped."""

    detail: str
    data: dict[str, Any] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    skipped: bool = False


@record(kw_only=True)
class Probe:
    config: Config
    password: Secret | OAuthCredentials | None  # OAuth2 configs: the oauth block's secrets
    environment: Environment | None
    send_to: str | None
    options: ProbeOptions
    wait: float
    deadline: float
    nameservers: tuple[tuple[str, int], ...] = ()
    step: str = ""
    addresses: tuple[str, ...] = ()
    address: str | None = None
    session: Session | None = None
    capabilities: dict[str, str] = field(default_factory=dict)
    negotiated: Negotiated | None = None
    verify_error: BaseException | None = None
    test_id: str = ""
    token: AccessToken | None = None  # from the Token step (OAuth2 configs)
    facts: dict[str, str] = field(default_factory=dict)
    transcript: list[str] = field(default_factory=list)

    @property
    def host(self) -> str:
        """The configured host as names are compared: no brackets, no trailing dot."""

        return strip_host(self.config.host or "")

    @property
    def port(self) -> int:
        return int(self.config.port or 587)

    @property
    def provider(self) -> str | None:
        return provider_of(self.config)

    def remaining(self) -> float:
        return self.deadline - time.monotonic()

    def timeout(self) -> float:
        """Seconds for the next operation: wait_timeout, cut to what the overall cap leaves."""
        left = self.remaining()
        if left <= 0:
            raise Failure(f"{self.step}.overall_timeout", seconds=self.options.total_timeout)
        return min(self.wait, left)

    def ask(self, line: str | None, *, shown: str | None = None, label: str | None = None) -> Reply:
        """Send ``line`` (None: just read, e.g. the greeting) and read the reply; a reply
        that is not SMTP becomes this step's Failure."""
        assert self.session is not None
        command = label or (shown if shown is not None else (line or "").split(" ")[0])
        try:
            if line is None:
                return self.session.read_reply()
            return self.session.command(line, shown=shown)
        except ReadError as exc:
            if exc.kind in ("timeout", "slow") and self.remaining() <= 0.01:
                raise Failure(
                    f"{self.step}.overall_timeout", seconds=self.options.total_timeout
                ) from None
            raise Failure(
                f"{self.step}.{exc.kind}",
                exc.excerpt,
                command=command,
                seconds=self.wait,
                excerpt=exc.excerpt,
            ) from None

    def grace(self) -> float:
        """Seconds a goodbye may take (QUIT's answer, the TLS shutdown): short, and within
        the overall cap."""
        return max(0.0, min(GOODBYE_SECONDS, self.wait, self.remaining()))

    def close(self) -> None:
        """End the session politely: QUIT where the session still allows it (also after a
        failed step), then close, over TLS with a proper TLS shutdown."""
        if self.session is not None:
            self.session.quit(self.grace())
            self.session.close(self.grace())
            self.session = None
