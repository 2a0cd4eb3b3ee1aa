"""The agent with a real private Postfix relaying to the sandbox: it applies the deployed
config to Postfix, and counts what leaves from the Postfix log and queue (sent with delays,
deferred while the server is down) as metrics and the spec's delivery events."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from smtpops.agent.runner import Agent
from smtpops.agent.settings import AgentSettings, TargetChoice, Watch
from smtpops.probe.sandbox import Sandbox
from tests.conftest import CANARY
from tests.delivery.postfix_instance import PostfixInstance, wait_until
from tests.gitops.conftest import USER, Project, git


@pytest.fixture
def postfix() -> Iterator[PostfixInstance]:
    instance = PostfixInstance()
    instance.start()
    yield instance
    instance.stop()


def _sample(agent: Agent, name: str, **labels: str) -> float:
    return agent.metrics.registry.get_sample_value(name, labels) or 0.0


def test_agent_applies_to_postfix_and_counts_deliveries(
    project: Project, run_cli, postfix: PostfixInstance, tmp_path: Path
) -> None:
    box = Sandbox(username=USER, password=CANARY).start()
    try:
        shutil.copy(box.ca_file, project.root / "sandbox-ca.pem")
        project.add_config(
            "development",
            "main",
            host="localhost",
            port=box.starttls_port,
            ca_file="sandbox-ca.pem",
            max_connections=2,
        )
        run_cli("deploy", "development/main", expect=0)
        remote = tmp_path / "remote.git"
        git(tmp_path, "clone", "-q", "--bare", str(project.root), str(remote))
        options = {"config_dir": str(postfix.conf), "retry_interval": "1"}
        agent = Agent(
            AgentSettings(
                repository=str(remote),
                workdir=str(tmp_path / "agent"),
                probe_interval=3600,
                listen_port=0,
                watches=(
                    Watch(
                        environment="development",
                        maillog=str(postfix.maillog),
                        targets=(TargetChoice(name="postfix", options=options),),
                    ),
                ),
            ),
            log=lambda *a, **k: None,
        )
        agent.round()
        assert postfix.param("relayhost") == f"[localhost]:{box.starttls_port}"
        assert agent.state.env("development").applied == {
            "postfix": agent.state.env("development").digest
        }

        postfix.submit(5, "sent")
        wait_until(lambda: len(box.messages) >= 5, 60, "5 messages", postfix.log)
        wait_until(lambda: postfix.log().count("status=sent") >= 5, 10, "log lines", postfix.log)
        agent.round()
        dev = {"environment": "development"}
        assert _sample(agent, "smtpops_deliveries_total", status="sent", **dev) == 5
        assert _sample(agent, "smtpops_deliveries_total", status="accepted", **dev) == 5
        assert _sample(agent, "smtpops_delivery_delay_seconds_count", **dev) == 5
        assert _sample(agent, "smtpops_queue_messages", **dev) == 0

        box.stop()  # the provider is down: mail waits in the queue, deferred
        postfix.submit(2, "held")
        wait_until(lambda: "status=deferred" in postfix.log(), 30, "a deferral", postfix.log)
        agent.round()
        assert _sample(agent, "smtpops_deliveries_total", status="deferred", **dev) >= 1
        assert _sample(agent, "smtpops_queue_messages", **dev) == 2
        assert agent.state.env("development").queue == 2
    finally:
        box.stop()
    events = [json.loads(line) for line in agent.events_bytes().decode().splitlines()]
    names = [e["event"] for e in events]
    assert names.count("email_sent") == 7 and names.count("email_delivered") == 5
    assert "email_failed" in names
    delivered = next(e for e in events if e["event"] == "email_delivered")
    assert delivered["configuration_id"] == "development/main" and delivered["delivery_time"] >= 0
    everything = json.dumps(events) + agent.metrics.exposition().decode()
    assert CANARY not in everything and "@example.org" not in everything
