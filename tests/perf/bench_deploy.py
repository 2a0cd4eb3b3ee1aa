"""Benchmark: ``smtpops deploy`` as a whole process against the git commit it makes.

    .venv/bin/python tests/perf/bench_deploy.py [--rounds 7]

Makes a real git repository with a development age key and two SOPS-encrypted configs for
the local sandbox (STARTTLS, AUTH CRAM-MD5), commits them, then deploys ``a`` and ``b`` in
turn (each deploy validates, decrypts, runs the connection test and commits the switch).
The baseline, interleaved with it in the same run, is ``git commit`` of a one-line change in
the same repository: the part of a deploy that is git's. Prints the medians and the ratio.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import command
from bench_test_cli import PASSWORD, make_repo

from smtpops.probe.sandbox import Sandbox


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    command.add_option(parser)
    args = parser.parse_args()
    with Sandbox(password=PASSWORD, mechanisms=("CRAM-MD5",)) as box:
        fields = {"host": "localhost", "port": box.starttls_port, "tls": "STARTTLS"}
        fields |= {"ca_file": "ca.pem", "auth_protocol": "CRAM-MD5", "wait_timeout": 5}
        fields |= {"helo_hostname": "crm.example.com"}
        repo, env = make_repo(box, {"a": fields, "b": fields})
        run = {"cwd": repo, "env": env, "capture_output": True, "text": True}
        subprocess.run(["git", "add", "-A"], check=True, **run)  # type: ignore[call-overload]
        subprocess.run(["git", "commit", "-qm", "configs"], check=True, **run)  # type: ignore[call-overload]

        def timed(cmd: list[str]) -> float:
            start = time.perf_counter()
            proc = subprocess.run(cmd, **run)  # type: ignore[call-overload]
            took = time.perf_counter() - start
            if proc.returncode != 0:
                sys.exit(f"{cmd} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
            return took

        note = repo / "notes.txt"

        def commit(i: int) -> float:
            note.write_text(f"round {i}\n")
            subprocess.run(["git", "add", "notes.txt"], check=True, **run)  # type: ignore[call-overload]
            return timed(["git", "commit", "-qm", f"note {i}"])

        deploy = [*command.smtpops(args.module), "deploy"]
        timed([*deploy, "development/a"])  # warm up
        runs: dict[str, list[float]] = {"deploy": [], "commit": []}
        for i in range(args.rounds):
            runs["deploy"].append(
                timed([*deploy, "development/b" if i % 2 == 0 else "development/a"])
            )
            runs["commit"].append(commit(i))
    deploy_ms = statistics.median(runs["deploy"]) * 1000
    commit_ms = statistics.median(runs["commit"]) * 1000
    print(f"smtpops deploy (whole process, test + commit): {deploy_ms:7.1f} ms")
    print(f"git commit of a one-line change:               {commit_ms:7.1f} ms")
    print(f"timed: {command.describe(args.module)}")
    print(f"ratio: {deploy_ms / commit_ms:.2f}x   (medians of {args.rounds}, interleaved)")


if __name__ == "__main__":
    main()
