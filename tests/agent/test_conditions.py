"""Which alerts the agent raises from what it saw (the built-in fallback for Alertmanager)."""

from __future__ import annotations

import time
from pathlib import Path

from smtpops.agent import settings, state
from smtpops.agent.runner import Agent


def _agent(tmp_path: Path) -> Agent:
    conf = settings.load(None, repository="/none", workdir=str(tmp_path), listen="127.0.0.1:0")
    return Agent(conf, log=lambda *a, **k: None)


def test_each_condition_raises_its_alert(tmp_path: Path) -> None:
    agent = _agent(tmp_path)
    now = time.time()
    ok = agent.state.env("staging")
    ok.config = "staging/relay"
    ok.probe = state.Probe(passed=True, at=now, duration_ms=40, certificate_days_left=90)
    auth = agent.state.env("production")
    auth.config = "production/billing"
    auth.probe = state.Probe(
        passed=False,
        at=now,
        duration_ms=40,
        error="auth.failed",
        message="The server refused the password.",
    )
    cert = agent.state.env("development")
    cert.config = "development/lab"
    cert.probe = state.Probe(passed=True, at=now, duration_ms=40, certificate_days_left=5)
    cert.error = "postfix check failed"
    found = {(a.name, a.environment) for a in agent.current_alerts()}
    assert found == {
        ("SmtpopsAuthFailing", "production"),
        ("SmtpopsCertificateExpiring", "development"),
        ("SmtpopsApplyFailing", "development"),
    }
    auth.probe = state.Probe(passed=False, at=now, duration_ms=5000, error="greeting.timeout")
    assert ("SmtpopsProbeFailing", "production") in {
        (a.name, a.environment) for a in agent.current_alerts()
    }


def test_state_survives_a_restart_and_a_damaged_file_is_ignored(tmp_path: Path) -> None:
    agent = _agent(tmp_path)
    item = agent.state.env("staging")
    item.config, item.digest, item.applied = "staging/relay", "sha256:ab", {"file": "sha256:ab"}
    item.probe = state.Probe(passed=True, at=1.0, duration_ms=3)
    agent.state.save()
    again = _agent(tmp_path)
    assert again.state.env("staging").applied == {"file": "sha256:ab"}
    assert again.state.env("staging").probe == item.probe
    Path(agent.state.path).write_text("{not json")
    assert _agent(tmp_path).state.envs == {}
