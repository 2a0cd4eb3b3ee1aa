"""The agent's endpoints on loopback: /metrics in a format promtool accepts, /healthz that
says why it is unhealthy, /status and /events as JSON, nothing else."""

from __future__ import annotations

import json
import subprocess
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from smtpops.agent import settings
from smtpops.agent.runner import Agent
from tests.tooling import find_tool


def _get(url: str) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as reply:
            return reply.status, reply.headers["Content-Type"], reply.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers["Content-Type"], exc.read()


@pytest.fixture
def running(tmp_path: Path):
    conf = settings.load(
        None, repository=str(tmp_path / "none"), workdir=str(tmp_path / "w"), listen="127.0.0.1:0"
    )
    agent = Agent(conf, log=lambda *a, **k: None)
    http = agent.serve().start()
    yield agent, f"http://127.0.0.1:{http.port}"
    http.stop()


def test_endpoints(running) -> None:
    agent, base = running
    agent.metrics.probe_success.labels("production", "production/a").set(1)
    agent.metrics.deliveries.labels("production", "sent").inc(3)
    agent.metrics.delivery_delay.labels("production").observe(1.5)
    code, kind, body = _get(base + "/metrics")
    assert code == 200 and kind.startswith("text/plain")
    text = body.decode()
    assert 'smtpops_probe_success{config="production/a",environment="production"} 1.0' in text
    assert 'smtpops_deliveries_total{environment="production",status="sent"} 3.0' in text
    promtool = find_tool("promtool", hint="Debian package prometheus; .ci/run installs it")
    check = subprocess.run([promtool, "check", "metrics"], input=body, capture_output=True)
    assert check.returncode == 0, check.stdout + check.stderr

    code, _, body = _get(base + "/healthz")
    assert code == 503 and b"not reconciled yet" in body
    code, kind, body = _get(base + "/status")
    assert code == 200 and kind == "application/json"
    assert json.loads(body)["environments"] == {}
    assert _get(base + "/events")[0] == 200
    assert _get(base + "/nothing")[0] == 404


def test_settings_errors_are_clear(tmp_path: Path, run_cli) -> None:
    no_repo = run_cli("agent", "--once")
    assert no_repo.exit_code == 2 and "--repository" in no_repo.stderr
    bad = tmp_path / "agent.yaml"
    bad.write_text("repository: /x\ninterval: soon\n")
    result = run_cli("agent", "--config", str(bad), "--once")
    assert result.exit_code == 2 and "interval" in result.stderr
    bad.write_text("repository: /x\nwebhooks:\n  - url_env: SMTPOPS_NOT_SET\n")
    result = run_cli("agent", "--config", str(bad), "--once")
    assert result.exit_code == 2 and "SMTPOPS_NOT_SET" in result.stderr
    listen = run_cli("agent", "--repository", "/x", "--listen", "nowhere", "--once")
    assert listen.exit_code == 2 and "HOST:PORT" in listen.stderr
    lone = run_cli("agent", "--repository", "/x", "--apply", "postfix")
    assert lone.exit_code == 2 and "--env" in lone.stderr
