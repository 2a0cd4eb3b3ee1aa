"""Benchmark: ``smtpops test`` as a whole process against swaks on the same server.

    .venv/bin/python tests/perf/bench_test_cli.py [--rounds 15]

Starts the local sandbox (aiosmtpd, STARTTLS, a trustme CA, AUTH CRAM-MD5), makes a real
repository with an age key and a SOPS-encrypted config for it, then times, interleaved:

- ``smtpops test development/bench`` (DNS .. envelope dry run, validation and Python start-up
  included), with the password decrypted by the real sops;
- swaks doing connect + STARTTLS (certificate verified against the same CA) + AUTH CRAM-MD5
  (``--quit-after AUTH``), the baseline;

and prints the medians, the ratio (aim: at most 2x) and the probe's own step times from the
JSON report (the certificate step aims at 10 ms or less).

smtpops runs from its compiled bytecode, as an installed smtpops does (pip compiles it): a
bytecode cache in a temporary folder (``PYTHONPYCACHEPREFIX``), filled by the untimed first
run, whatever ``PYTHONDONTWRITEBYTECODE`` the calling shell sets; ``--no-bytecode``
measures a checkout that recompiles its modules on every run instead.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import command  # noqa: E402

from smtpops.probe.sandbox import Sandbox  # noqa: E402

PASSWORD = "bench-password-cram"


def make_repo(box: Sandbox, configs: dict[str, dict[str, object]]) -> tuple[Path, dict[str, str]]:
    """A git repository with a development age key and one encrypted config per entry."""
    repo = Path(tempfile.mkdtemp(prefix="smtpops-bench-repo-"))
    home = Path(tempfile.mkdtemp(prefix="smtpops-bench-home-"))  # keys live outside the repo
    env = os.environ | {"HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config")}
    env |= {"NO_COLOR": "1", "GIT_AUTHOR_NAME": "b", "GIT_AUTHOR_EMAIL": "b@example.test"}
    env |= {"GIT_COMMITTER_NAME": "b", "GIT_COMMITTER_EMAIL": "b@example.test"}
    smtpops = [sys.executable, "-m", "smtpops"]
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    (repo / "configs").mkdir()
    shutil.copy(box.ca_file, repo / "ca.pem")
    run = {"cwd": repo, "env": env, "check": True, "capture_output": True, "text": True}
    subprocess.run([*smtpops, "keys", "init", "--env", "development"], **run)  # type: ignore[call-overload]
    for name, fields in configs.items():
        sets = [f"{k}={v}" for k, v in fields.items()]
        cmd = [*smtpops, "new", name, "--env", "development", "--provider", "custom"]
        cmd += ["--username", box.username, "--password-stdin", "--no-guided"]
        for item in sets:
            cmd += ["--set", item]
        subprocess.run(cmd, input=box.password, **run)  # type: ignore[call-overload]
    return repo, env


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument(
        "--no-bytecode", action="store_true", help="recompile smtpops on every run (no cache)"
    )
    command.add_option(parser)
    args = parser.parse_args()
    swaks = shutil.which("swaks")
    if swaks is None:
        sys.exit("swaks is not installed (Debian package swaks, with libnet-ssleay-perl)")
    with Sandbox(password=PASSWORD, mechanisms=("CRAM-MD5",)) as box:
        fields = {
            "host": "localhost",
            "port": box.starttls_port,
            "tls": "STARTTLS",
            "ca_file": "ca.pem",
            "auth_protocol": "CRAM-MD5",
            "helo_hostname": "crm.example.com",
            "wait_timeout": 5,
        }
        repo, env = make_repo(box, {"bench": fields})
        pycache = tempfile.mkdtemp(prefix="smtpops-bench-pyc-")
        if args.no_bytecode:  # smtpops' own modules compile each run (no __pycache__ written)
            env = env | {"PYTHONDONTWRITEBYTECODE": "1"}
        else:
            env = {k: v for k, v in env.items() if k != "PYTHONDONTWRITEBYTECODE"}
            env |= {"PYTHONPYCACHEPREFIX": pycache}
        test_cmd = [*command.smtpops(args.module), "test", "development/bench"]
        swaks_cmd = [swaks, "--server", f"localhost:{box.starttls_port}", "--tls"]
        swaks_cmd += ["--tls-verify", "--tls-ca-path", box.ca_file, "--ehlo", "crm.example.com"]
        swaks_cmd += ["--auth", "CRAM-MD5", "--auth-user", box.username]
        swaks_cmd += ["--auth-password", box.password, "--quit-after", "AUTH"]

        def timed(cmd: list[str]) -> float:
            start = time.perf_counter()
            proc = subprocess.run(cmd, cwd=repo, env=env, capture_output=True, text=True)
            elapsed = time.perf_counter() - start
            if proc.returncode != 0:
                sys.exit(f"{cmd[0]} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
            return elapsed

        timed(test_cmd)
        timed(swaks_cmd)
        runs: dict[str, list[float]] = {"test": [], "swaks": []}
        for _ in range(args.rounds):
            runs["test"].append(timed(test_cmd))
            runs["swaks"].append(timed(swaks_cmd))
        report = subprocess.run(
            [*test_cmd, "--format", "json"], cwd=repo, env=env, capture_output=True, text=True
        )
        steps = json.loads(report.stdout).get("steps", [])
    shutil.rmtree(repo)
    shutil.rmtree(pycache)
    test_ms, swaks_ms = median_ms(runs["test"]), median_ms(runs["swaks"])
    print(f"smtpops test (whole process):                  {test_ms:7.1f} ms")
    print(f"swaks connect + STARTTLS + AUTH CRAM-MD5:      {swaks_ms:7.1f} ms")
    print(f"ratio: {test_ms / swaks_ms:.2f}x   (aim: <= 2x; medians of {args.rounds}, interleaved)")
    print(f"timed: {command.describe(args.module)}")
    print("bytecode: " + ("none, every module compiled each run" if args.no_bytecode else "cached"))
    print("probe steps (one run, from --format json):")
    for step in steps if isinstance(steps, list) else []:
        name = step.get("name") or step.get("step")
        ms = step.get("duration_ms")
        print(f"  {name:<14} {ms if ms is not None else '-':>8} ms  {step.get('status', '')}")


if __name__ == "__main__":
    main()
