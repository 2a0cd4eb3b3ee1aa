"""The built-in alert notifier: posts when an alert starts and stops (not while it lasts),
in the generic and the Slack/Teams shapes, retries a failing webhook, never logs its URL."""

from __future__ import annotations

from smtpops.agent.alerts import Alert, Notifier
from smtpops.agent.settings import Webhook
from tests.agent.receiver import Receiver

ALERT = Alert(
    name="SmtpopsProbeFailing",
    environment="production",
    config="production/office365-billing",
    summary="The server did not answer within 30 seconds.",
)


def test_posts_on_start_and_stop_only() -> None:
    logs: list[str] = []
    with Receiver() as hook:
        notifier = Notifier(
            [Webhook(url=hook.url, format="generic"), Webhook(url=hook.url, format="slack")],
            log=logs.append,
        )
        assert notifier.update([ALERT]) == [("firing", ALERT)]
        assert notifier.update([ALERT]) == []  # still firing: nothing new sent
        assert notifier.update([]) == [("resolved", ALERT)]
    generic = [b for b in hook.bodies if "status" in b]
    slack = [b for b in hook.bodies if "text" in b]
    assert [b["status"] for b in generic] == ["firing", "resolved"]
    assert generic[0]["alert"] == "SmtpopsProbeFailing"
    assert generic[0]["config"] == "production/office365-billing"
    assert slack[0]["text"].startswith("[FIRING] smtpops SmtpopsProbeFailing")
    assert slack[1]["text"].startswith("[RESOLVED]")
    assert all("T0KEN" not in line for line in logs)


def test_a_failing_webhook_is_retried_with_backoff() -> None:
    logs: list[str] = []
    with Receiver(fail_first=2) as hook:
        notifier = Notifier([Webhook(url=hook.url)], attempts=3, backoff=0.01, log=logs.append)
        notifier.update([ALERT])
    assert len(hook.bodies) == 1  # third attempt got through
    retries = [line for line in logs if "attempt" in line]
    assert len(retries) == 2 and all("webhook 1" in line for line in retries)
    assert not any("T0KEN" in line or "127.0.0.1" in line for line in logs)


def test_gives_up_after_the_attempts() -> None:
    with Receiver(fail_first=10) as hook:
        notifier = Notifier([Webhook(url=hook.url)], attempts=2, backoff=0.01)
        notifier.update([ALERT])  # does not raise
    assert hook.bodies == []
