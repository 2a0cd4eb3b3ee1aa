"""Benchmark: what the agent costs — CPU per probe, and a reconcile round with nothing new.

    .venv/bin/python tests/perf/bench_agent.py [--probes 30]

Makes a real repository (age key, one SOPS-encrypted config deployed against the local
sandbox), a bare remote and an agent following it with a ``file`` target, then measures in
this process (``time.process_time``, user + system CPU of the agent's own thread of work):

- a probe (the full connection test of the active config, password decrypted by sops) —
  compared with the baseline of the same test run by ``run_test`` directly;
- a reconcile round that finds nothing new (git fetch + checkout + digest compare).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_test_cli import make_repo  # noqa: E402

from smtpops.agent.runner import Agent  # noqa: E402
from smtpops.agent.settings import AgentSettings, TargetChoice, Watch  # noqa: E402
from smtpops.probe.sandbox import Sandbox  # noqa: E402


def cpu() -> float:
    """CPU of this process and its finished children (sops, git), user + system."""
    own = time.process_time()
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own + kids.ru_utime + kids.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--probes", type=int, default=30)
    args = parser.parse_args()
    with Sandbox(password="bench-password-agent") as box:
        fields = {
            "host": "localhost",
            "port": box.starttls_port,
            "tls": "STARTTLS",
            "ca_file": "ca.pem",
            "auth_protocol": "LOGIN",
            "helo_hostname": "crm.example.com",
            "wait_timeout": 5,
        }
        repo, env = make_repo(box, {"main": fields})
        os.environ.update({k: v for k, v in env.items() if k in ("HOME", "XDG_CONFIG_HOME")})
        run = {"cwd": repo, "env": env, "check": True, "capture_output": True}
        subprocess.run(["git", "add", "-A"], **run)  # type: ignore[call-overload]
        subprocess.run(["git", "commit", "-qm", "configs"], **run)  # type: ignore[call-overload]
        subprocess.run([sys.executable, "-m", "smtpops", "deploy", "development/main"], **run)  # type: ignore[call-overload]
        remote = Path(tempfile.mkdtemp(prefix="smtpops-bench-remote-")) / "r.git"
        subprocess.run(["git", "clone", "-q", "--bare", str(repo), str(remote)], check=True)
        work = Path(tempfile.mkdtemp(prefix="smtpops-bench-agent-"))
        branch = subprocess.run(
            ["git", "rev-parse", "--abbrev-ref", "HEAD"], cwd=repo, capture_output=True, text=True
        ).stdout.strip()
        agent = Agent(
            AgentSettings(
                repository=str(remote),
                branch=branch,
                workdir=str(work),
                probe_interval=0,
                listen_port=0,
                watches=(
                    Watch(
                        environment="development",
                        targets=(TargetChoice(name="file", options={"path": str(work / "o.env")}),),
                    ),
                ),
            ),
            log=lambda *a, **k: None,
        )
        agent.round()
        ws = agent.reconcile()
        assert ws is not None, agent.healthy()
        probe_cpu, probe_wall, idle_cpu = [], [], []
        for _ in range(args.probes):
            start, wall = cpu(), time.perf_counter()
            agent.probe(ws, force=True)
            probe_cpu.append(cpu() - start)
            probe_wall.append(time.perf_counter() - wall)
        assert agent.state.env("development").probe and agent.state.env("development").probe.passed
        for _ in range(max(5, args.probes // 3)):
            start = cpu()
            agent.reconcile()
            idle_cpu.append(cpu() - start)
    ms = lambda xs: statistics.median(xs) * 1000  # noqa: E731
    print(
        f"probe (connection test + sops decrypt): {ms(probe_cpu):7.1f} ms CPU  {ms(probe_wall):7.1f} ms wall"
    )
    print(
        f"reconcile round, nothing new:           {ms(idle_cpu):7.1f} ms CPU (git fetch + checkout)"
    )
    per_day = ms(probe_cpu) * 86400 / 300 / 1000
    print(f"at the default probe_interval 300 s: {per_day:.1f} s CPU per day per config")
    print(f"medians of {args.probes} probes")


if __name__ == "__main__":
    main()
