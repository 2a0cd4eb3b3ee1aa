"""Benchmark: ``smtpops test --env`` over many configs, some of them against a silent server.

    .venv/bin/python tests/perf/bench_test_env.py [--configs 32] [--silent 8] [--rounds 3]

Makes a real repository with ``--configs`` SOPS-encrypted configs in ``development``: most of
them point at the local sandbox (STARTTLS, AUTH LOGIN), ``--silent`` of them at a loopback
server that accepts the connection and never says a word (each with ``wait_timeout: 5``).
Prints the median wall time of ``smtpops test --env development`` next to the slowest single
test (``smtpops test development/silent-0`` alone), measured in the same run, and the
difference (aim: the whole run ends within the slowest single test + 1 s).
"""

from __future__ import annotations

import argparse
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import command
from bench_test_cli import make_repo

from smtpops.probe.sandbox import Sandbox


class SilentServer:
    """Accepts connections on loopback and never writes; closes them all on stop."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0), backlog=128)
        self.port = self.sock.getsockname()[1]
        self.held: list[socket.socket] = []
        self.sock.settimeout(0.2)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.held.append(conn)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()
        for conn in self.held:
            conn.close()
        self.sock.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--configs", type=int, default=32)
    parser.add_argument("--silent", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    command.add_option(parser)
    args = parser.parse_args()
    silent = SilentServer()
    try:
        with Sandbox(password="bench-password-env") as box:
            common = {"host": "localhost", "tls": "STARTTLS", "ca_file": "ca.pem"}
            common |= {"auth_protocol": "LOGIN", "helo_hostname": "crm.example.com"}
            common |= {"wait_timeout": 5}
            configs = {f"silent-{i}": common | {"port": silent.port} for i in range(args.silent)}
            configs |= {
                f"ok-{i}": common | {"port": box.starttls_port}
                for i in range(args.configs - args.silent)
            }
            repo, env = make_repo(box, configs)

            def timed(cmd: list[str]) -> tuple[float, int]:
                start = time.perf_counter()
                proc = subprocess.run(cmd, cwd=repo, env=env, capture_output=True, text=True)
                return time.perf_counter() - start, proc.returncode

            smtpops = [*command.smtpops(args.module), "test"]
            runs: dict[str, list[float]] = {"env": [], "single": []}
            codes = set()
            for _ in range(args.rounds):
                seconds, code = timed([*smtpops, "--env", "development"])
                runs["env"].append(seconds)
                codes.add(code)
                runs["single"].append(timed([*smtpops, "development/silent-0"])[0])
    finally:
        silent.stop()
    shutil.rmtree(repo)
    env_s = statistics.median(runs["env"])
    single_s = statistics.median(runs["single"])
    print(f"configs: {args.configs} ({args.silent} against a silent server, wait_timeout 5 s)")
    print(f"smtpops test --env development:        {env_s:6.2f} s   exit code(s) {sorted(codes)}")
    print(f"timed: {command.describe(args.module)}")
    print(f"slowest single test (silent-0 alone):  {single_s:6.2f} s")
    print(
        f"difference: {env_s - single_s:+.2f} s   ratio {env_s / single_s:.2f}x"
        f"   (aim: at most +1 s; medians of {args.rounds})"
    )


if __name__ == "__main__":
    main()
