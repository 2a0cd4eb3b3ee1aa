"""The agent against a real git remote (a bare repository in a temp dir) and the sandbox SMTP
server: it applies what a deploy activated, refuses a hand-edited activation, probes the live
config, alerts through a loopback webhook, and never writes the password anywhere but the
designated file."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from smtpops.agent.runner import Agent
from smtpops.agent.settings import AgentSettings, TargetChoice, Watch, Webhook
from smtpops.probe.sandbox import Sandbox
from tests.agent.receiver import Receiver
from tests.conftest import CANARY
from tests.gitops.conftest import USER, Project, git


def _remote(project: Project) -> Path:
    remote = project.root.parent / "remote.git"
    git(project.root.parent, "clone", "-q", "--bare", str(project.root), str(remote))
    git(project.root, "remote", "add", "origin", str(remote))
    return remote


def _push(project: Project) -> None:
    git(project.root, "push", "-q", "origin", "main")


def _agent(
    tmp_path: Path, remote: Path, out: Path, hook: Receiver | None = None
) -> tuple[Agent, list[str]]:
    logs: list[str] = []
    conf = AgentSettings(
        repository=str(remote),
        workdir=str(tmp_path / "agent"),
        interval=1,
        probe_interval=0,
        listen_port=0,
        watches=(
            Watch(
                environment="staging",
                targets=(TargetChoice(name="file", options={"path": str(out), "format": "json"}),),
            ),
        ),
        webhooks=(Webhook(url=hook.url),) if hook else (),
    )

    def log(message: str, **fields: object) -> None:
        logs.append(json.dumps({"message": message, **fields}, default=str))

    return Agent(conf, log=log), logs


def _metric(agent: Agent, name: str, **labels: str) -> float | None:
    return agent.metrics.registry.get_sample_value(name, labels)


def _hand_activate(project: Project, name: str, other: str) -> None:
    for cfg, value in ((name, "true"), (other, "false")):
        path = project.root / "configs" / "staging" / f"{cfg}.yaml"
        text = path.read_text().replace("active: true", "active: false")
        path.write_text(text.replace("active: false", f"active: {value}", 1))
    project.commit("Switch staging to relay2 by hand")


def test_apply_refuse_probe_and_alert(project: Project, run_cli, tmp_path: Path) -> None:
    remote = _remote(project)
    out = tmp_path / "crm" / "smtp.json"
    out.parent.mkdir()
    with Receiver() as hook:
        agent, logs = _agent(tmp_path, remote, out, hook)

        agent.round()  # nothing is active: nothing to deliver
        assert not out.exists()
        assert agent.healthy() == (True, "ok")

        project.add_config("staging", "relay")
        run_cli("deploy", "staging/relay", expect=0)
        _push(project)
        agent.round()
        data = json.loads(out.read_text())
        assert data["SMTP_CONFIG"] == "staging/relay" and data["SMTP_PASSWORD"] == CANARY
        assert out.stat().st_mode & 0o777 == 0o600
        assert (
            _metric(agent, "smtpops_probe_success", environment="staging", config="staging/relay")
            == 1
        )
        assert _metric(agent, "smtpops_apply_refused", environment="staging") == 0
        applied = [line for line in logs if '"applied"' in line and "staging/relay" in line]
        assert len(applied) == 1

        mtime = out.stat().st_mtime_ns
        agent.round()  # same digest: nothing applied again
        assert out.stat().st_mtime_ns == mtime
        assert len([line for line in logs if '"applied"' in line and "staging/relay" in line]) == 1

        project.add_config("staging", "relay2")
        _hand_activate(project, "relay2", "relay")
        _push(project)
        agent.round()
        assert json.loads(out.read_text())["SMTP_CONFIG"] == "staging/relay"  # kept
        assert _metric(agent, "smtpops_apply_refused", environment="staging") == 1
        state = agent.state.env("staging")
        assert state.refused and "smtpops deploy staging/relay2" in state.refused
        assert [b["alert"] for b in hook.bodies if b["status"] == "firing"] == [
            "SmtpopsApplyRefused"
        ]

        run_cli("deploy", "staging/relay2", expect=0)  # the fix: a real deploy
        _push(project)
        agent.round()
        assert json.loads(out.read_text())["SMTP_CONFIG"] == "staging/relay2"
        assert _metric(agent, "smtpops_apply_refused", environment="staging") == 0
        assert [b["alert"] for b in hook.bodies if b["status"] == "resolved"] == [
            "SmtpopsApplyRefused"
        ]

    names = [json.loads(line)["event"] for line in agent.events_bytes().decode().splitlines()]
    assert "config_apply_refused" in names and "connection_test_success" in names
    assert names.count("config_deployment_success") == 2
    everything = "\n".join(logs) + agent.events_bytes().decode()
    everything += Path(agent.state.path).read_text() + agent.metrics.exposition().decode()
    assert CANARY not in everything


def test_a_dead_server_fails_the_probe_and_fires_the_webhook(
    project: Project, run_cli, tmp_path: Path
) -> None:
    remote = _remote(project)
    out = tmp_path / "smtp.env"
    box = Sandbox(username=USER, password=CANARY).start()
    try:
        (project.root / "ca2.pem").write_bytes(Path(box.ca_file).read_bytes())
        project.add_config(
            "staging", "own", port=box.starttls_port, ca_file="ca2.pem", host="localhost"
        )
        run_cli("deploy", "staging/own", expect=0)
        _push(project)
        with Receiver() as hook:
            agent, _ = _agent(tmp_path, remote, out, hook)
            agent.round()
            assert (
                _metric(agent, "smtpops_probe_success", environment="staging", config="staging/own")
                == 1
            )
            assert json.loads(out.read_text())["SMTP_CONFIG"] == "staging/own"
            box.stop()
            agent.round()
            assert (
                _metric(agent, "smtpops_probe_success", environment="staging", config="staging/own")
                == 0
            )
            fired = [b for b in hook.bodies if b["status"] == "firing"]
            assert [b["alert"] for b in fired] == ["SmtpopsProbeFailing"]
            assert fired[0]["config"] == "staging/own" and CANARY not in json.dumps(fired)
    finally:
        box.stop()


@pytest.mark.slow
def test_the_agent_process_applies_a_push_within_one_interval(
    project: Project, run_cli, tmp_path: Path
) -> None:
    remote = _remote(project)
    out = tmp_path / "smtp.env"
    conf = tmp_path / "agent.yaml"
    conf.write_text(
        f"repository: {remote}\ninterval: 2\nprobe_interval: 60\nlisten: 127.0.0.1:0\n"
        f"workdir: {tmp_path / 'agent'}\nenvironments:\n  staging:\n    targets:\n"
        f"      - file: {{path: {out}}}\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "smtpops", "agent", "--config", str(conf), "--log-format", "json"],
        env=project.subprocess_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        time.sleep(1.0)
        project.add_config("staging", "relay")
        run_cli("deploy", "staging/relay", expect=0)
        _push(project)
        pushed = time.monotonic()
        while not out.exists() and time.monotonic() - pushed < 20:
            time.sleep(0.05)
        latency = time.monotonic() - pushed
        assert out.exists(), proc.stderr.read() if proc.poll() is not None else "not applied"
        assert latency <= 2 + 3  # one interval, plus a fetch and an apply
        print(f"reconcile latency after a push: {latency:.2f} s (interval 2 s)")
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0
    lines = [json.loads(line) for line in err.splitlines()]
    assert any(line["message"] == "applied" for line in lines)
    assert lines[-1]["message"] == "stopped"
    assert CANARY not in err
    assert os.stat(out).st_mode & 0o777 == 0o600


def test_status_shows_what_the_agent_runs_next_to_git(
    project: Project, run_cli, tmp_path: Path
) -> None:
    remote = _remote(project)
    project.add_config("staging", "relay")
    run_cli("deploy", "staging/relay", expect=0)
    _push(project)
    agent, _ = _agent(tmp_path, remote, tmp_path / "out.json")
    agent.round()
    http = agent.serve().start()
    url = f"http://127.0.0.1:{http.port}"
    try:
        same = run_cli("status", "--env", "staging", "--agent", url, expect=0).stdout
        assert "agent:       sees staging/relay" in same and "drift:" not in same
        assert "agent probe: passed" in same
        project.add_config("staging", "relay2")
        run_cli("deploy", "staging/relay2", expect=0)  # deployed here, not pushed yet
        drift = run_cli("status", "--env", "staging", "--agent", url, "--format", "json", expect=0)
        (row,) = json.loads(drift.stdout)
        assert row["drift"] is True and row["agent"]["config"] == "staging/relay"
        text = run_cli("status", "--env", "staging", "--agent", url, expect=0).stdout
        assert (
            "drift:       git here says staging/relay2 is active; the agent runs staging/relay"
            in text
        )
    finally:
        http.stop()
    gone = run_cli("status", "--agent", url)
    assert gone.exit_code == 2 and "did not answer" in gone.stderr
    bad = run_cli("status", "--agent", "ftp://x")
    assert bad.exit_code == 2 and "http://" in bad.stderr


def test_an_edit_of_the_active_config_after_its_deploy_is_refused(
    project: Project, run_cli, tmp_path: Path
) -> None:
    remote = _remote(project)
    out = tmp_path / "out.json"
    project.add_config("staging", "relay")
    run_cli("deploy", "staging/relay", expect=0)
    _push(project)
    agent, _ = _agent(tmp_path, remote, out)
    agent.round()
    assert json.loads(out.read_text())["SMTP_PORT"] == str(project.server.port)
    path = project.root / "configs" / "staging" / "relay.yaml"
    path.write_text(
        path.read_text().replace(
            "helo_hostname: crm.example.test", "helo_hostname: evil.example.test"
        )
    )
    project.commit("Change the HELO name of the active config by hand")
    _push(project)
    agent.round()
    assert agent.state.env("staging").refused
    assert "crm.example.test" in out.read_text()  # the runtime keeps the tested config
    run_cli("deploy", "staging/relay", expect=0)  # re-deployed: tested as it is now
    _push(project)
    agent.round()
    assert agent.state.env("staging").refused is None
    assert "evil.example.test" in out.read_text()
