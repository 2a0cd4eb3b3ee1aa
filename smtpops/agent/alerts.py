"""Alerts for those without Alertmanager: conditions the agent sees after each round, and a
notifier that posts to webhooks when one starts or stops (generic JSON, or the ``text``
payload Slack and Microsoft Teams incoming webhooks accept), retried with backoff.

The shipped Prometheus rules (``examples/prometheus/smtpops-alerts.yml``) raise the same
alerts from the metrics; this is the built-in fallback. No payload holds a secret: only the
environment, the config and smtpops' own plain-words summary.
"""

from __future__ import annotations

import json
import time
import urllib.request
from collections.abc import Callable, Iterable

from smtpops.agent.settings import Webhook
from smtpops.records import record


@record(frozen=True, kw_only=True)
class Alert:
    name: str  # SmtpopsProbeFailing, SmtpopsAuthFailing, ...
    environment: str
    config: str | None
    summary: str

    @property
    def key(self) -> tuple[str, str, str | None]:
        return (self.name, self.environment, self.config)


def payload(alert: Alert, status: str, fmt: str) -> dict[str, object]:
    """The JSON body for one webhook format; ``status`` is ``firing`` or ``resolved``."""
    where = alert.config or alert.environment
    if fmt in ("slack", "teams"):
        mark = "[FIRING]" if status == "firing" else "[RESOLVED]"
        return {"text": f"{mark} smtpops {alert.name} ({where}): {alert.summary}"}
    return {
        "status": status,
        "alert": alert.name,
        "environment": alert.environment,
        "config": alert.config,
        "summary": alert.summary,
        "timestamp": int(time.time()),
    }


Post = Callable[[str, bytes], None]


def post_json(url: str, body: bytes) -> None:
    request = urllib.request.Request(
        url, data=body, headers={"Content-Type": "application/json"}, method="POST"
    )
    with urllib.request.urlopen(request, timeout=5) as reply:
        reply.read(1024)


class Notifier:
    """Remembers which alerts are firing; posts only changes (start, stop)."""

    def __init__(
        self,
        webhooks: Iterable[Webhook],
        *,
        attempts: int = 3,
        backoff: float = 1.0,
        post: Post = post_json,
        log: Callable[[str], None] = lambda _m: None,
    ) -> None:
        self.webhooks = tuple(webhooks)
        self.attempts, self.backoff, self.post, self.log = attempts, backoff, post, log
        self.firing: dict[tuple[str, str, str | None], Alert] = {}

    def update(self, current: Iterable[Alert]) -> list[tuple[str, Alert]]:
        """Send what changed since the last call; the (status, alert) pairs sent."""
        now = {a.key: a for a in current}
        changes = [("firing", a) for k, a in now.items() if k not in self.firing]
        changes += [("resolved", a) for k, a in self.firing.items() if k not in now]
        self.firing = now
        for status, alert in changes:
            self.log(f"alert {status}: {alert.name} {alert.config or alert.environment}")
            for index, hook in enumerate(self.webhooks, 1):
                self._send(index, hook, payload(alert, status, hook.format))
        return changes

    def _send(self, index: int, hook: Webhook, body: dict[str, object]) -> None:
        data = json.dumps(body).encode()
        for attempt in range(1, self.attempts + 1):
            try:
                self.post(hook.url, data)
                return
            except OSError as exc:  # URLError, HTTPError, timeouts
                # the URL is a secret: name the webhook by its number only
                self.log(f"webhook {index}: attempt {attempt} failed ({type(exc).__name__})")
                if attempt < self.attempts:
                    time.sleep(self.backoff * 2 ** (attempt - 1))
