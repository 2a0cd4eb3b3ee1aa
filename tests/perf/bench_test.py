"""Benchmark of the connection test against the local sandbox.

Prints the median time of a full successful test (``run_probe`` in-process, and the
``smtpops test`` command as a subprocess) next to the median time of the bare protocol steps
(connect, EHLO, STARTTLS, EHLO, AUTH PLAIN, QUIT) done by a minimal smtplib script in the same
run, and the ratios. Not collected by pytest; run it directly:

    .venv/bin/python tests/perf/bench_test.py [--rounds 30]
"""

from __future__ import annotations

import argparse
import os
import shutil
import smtplib
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402

from smtpops.model import Config  # noqa: E402
from smtpops.probe import ProbeOptions, run_probe  # noqa: E402
from smtpops.probe.sandbox import Sandbox  # noqa: E402
from smtpops.rules.examples import BASE  # noqa: E402
from smtpops.secret import Secret  # noqa: E402


def median_ms(fn: Callable[[], object], rounds: int) -> float:
    fn()  # warm up (imports, certificate parsing)
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    with Sandbox(password="bench-password") as box, tempfile.TemporaryDirectory() as repo:
        fields = box.config(auth_protocol="PLAIN")
        config = Config.from_raw(fields)
        options = ProbeOptions(wait_timeout=5)
        context = ssl.create_default_context(cafile=box.ca_file)

        def bare() -> None:
            with smtplib.SMTP("localhost", box.starttls_port, timeout=5) as client:
                client.ehlo("crm.example.com")
                client.starttls(context=context)
                client.ehlo("crm.example.com")
                client.login(box.username, box.password)  # AUTH PLAIN (smtplib's first choice)

        def probe() -> None:
            report = run_probe(config, Secret(box.password), options=options)
            assert report.passed, report.summary

        env_dir = Path(repo) / "configs" / "development"
        env_dir.mkdir(parents=True)
        # the CA goes into the repository: a ca_file outside it is refused (TLS007)
        (Path(repo) / "certs").mkdir()
        shutil.copyfile(box.ca_file, Path(repo) / "certs" / "ca.pem")
        (env_dir / "sandbox.yaml").write_text(
            yaml.safe_dump(
                yaml.safe_load(BASE) | fields | {"ca_file": "certs/ca.pem"}, sort_keys=False
            )
        )
        command = [
            sys.executable,
            "-m",
            "smtpops",
            "test",
            "development/sandbox",
            "--password-stdin",
        ]

        def cli() -> None:
            done = subprocess.run(
                command,
                input=box.password,
                cwd=repo,
                capture_output=True,
                text=True,
                env=os.environ | {"NO_COLOR": "1"},
            )
            if done.returncode != 0:
                raise SystemExit(f"smtpops test failed (exit {done.returncode}):\n{done.stderr}")

        def interpreter() -> None:
            subprocess.run([sys.executable, "-c", "pass"], check=True)

        bare_ms = median_ms(bare, args.rounds)
        probe_ms = median_ms(probe, args.rounds)
        cli_rounds = max(5, args.rounds // 3)
        cli_ms = median_ms(cli, cli_rounds)
        python_ms = median_ms(interpreter, cli_rounds)
    print(f"bare protocol steps (smtplib: connect, EHLO, STARTTLS, EHLO, AUTH): {bare_ms:8.1f} ms")
    print(
        f"run_probe, full test (DNS .. envelope dry run), in-process:         {probe_ms:8.1f} ms"
        f"  ratio {probe_ms / bare_ms:.2f}x"
    )
    print(
        f"smtpops test, subprocess (incl. validation and Python start-up):   {cli_ms:8.1f} ms"
        f"  ratio {cli_ms / bare_ms:.2f}x"
    )
    print(f"  of which an empty Python interpreter start-up:                   {python_ms:8.1f} ms")
    print(f"medians of {args.rounds} rounds ({cli_rounds} for subprocesses)")


if __name__ == "__main__":
    main()
