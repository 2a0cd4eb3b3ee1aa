"""A private Postfix instance for tests: its own config, queue and data directories under a
temporary folder, chroot off, listening on 127.0.0.1 on a free port, logging to a file.

Postfix needs root to start; :func:`require_postfix` skips (or, under
SMTPOPS_REQUIRE_TOOLS, fails) with a clear reason elsewhere. As root, ``postfix -c DIR``
works without listing DIR in /etc/postfix/main.cf, so the system's files are not touched.
"""

from __future__ import annotations

import json
import os
import shutil
import smtplib
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tests.tooling import find_tool, missing

SBIN = ("/usr/sbin", "/usr/bin")


def require_postfix() -> str:
    path = find_tool("postfix", hint="Debian package postfix; .ci/run installs it", extra_dirs=SBIN)
    if os.geteuid() != 0:
        missing("a private Postfix instance needs root to start (CI runs as root)")
    return path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _master_cf(source: str, port: int) -> str:
    lines = []
    for line in Path(source).read_text(encoding="utf-8").splitlines(keepends=True):
        fields = line.split()
        if fields and not line[0].isspace() and not line.startswith("#") and len(fields) >= 8:
            if fields[0] == "smtp" and fields[1] == "inet":
                fields[0] = f"127.0.0.1:{port}"
            fields[4] = "n"  # no chroot: the client must read /etc/hosts for localhost
            line = "  ".join(fields) + "\n"
        lines.append(line)
    return "".join(lines)


class PostfixInstance:
    def __init__(self) -> None:
        self.postfix = require_postfix()
        self.base = Path(tempfile.mkdtemp(prefix="smtpops-postfix-"))
        self.base.chmod(0o755)
        self.conf, self.queue_dir, self.data = (self.base / n for n in ("conf", "queue", "data"))
        for folder in (self.conf, self.queue_dir, self.data):
            folder.mkdir()
        shutil.chown(self.data, "postfix")
        self.port = free_port()
        self.maillog = self.data / "maillog"
        system = subprocess.run(
            ["postconf", "-h", "config_directory"], capture_output=True, text=True, check=True
        ).stdout.strip()
        (self.conf / "master.cf").write_text(
            _master_cf(os.path.join(system, "master.cf"), self.port)
        )
        (self.conf / "main.cf").write_text(
            "# a private test instance (tests/delivery/postfix_instance.py)\n"
            "compatibility_level = 3.6\n"
            f"queue_directory = {self.queue_dir}\n"
            f"data_directory = {self.data}\n"
            f"maillog_file = {self.maillog}\n"
            f"maillog_file_prefixes = /var, /dev/stdout, {self.base}\n"
            "myhostname = relay.example.test\n"
            "mydestination =\n"
            "alias_maps =\n"
            "alias_database =\n"
            "inet_interfaces = loopback-only\n"
            "inet_protocols = ipv4\n"
            "mynetworks = 127.0.0.0/8\n"
            "smtpd_relay_restrictions = permit_mynetworks, reject\n"
            "biff = no\n"
        )
        self.started = False

    # -- control ---------------------------------------------------------------------------
    def cmd(self, *argv: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [argv[0], "-c", str(self.conf), *argv[1:]], capture_output=True, text=True, check=check
        )

    def start(self) -> None:
        self.cmd("postfix", "set-permissions", check=False)
        result = self.cmd("postfix", "start", check=False)
        assert result.returncode == 0, result.stdout + result.stderr + self.log()
        self.started = True
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.1)
        raise AssertionError("the test Postfix never listened:\n" + self.log())

    def stop(self) -> None:
        if self.started:
            self.cmd("postfix", "stop", check=False)
            self.started = False
        shutil.rmtree(self.base, ignore_errors=True)

    def log(self) -> str:
        try:
            return self.maillog.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def param(self, name: str) -> str:
        return self.cmd("postconf", "-h", name).stdout.strip()

    def queue(self) -> list[dict[str, object]]:
        out = self.cmd("postqueue", "-j", check=False).stdout
        return [json.loads(line) for line in out.splitlines() if line.startswith("{")]

    def clear_queue(self) -> None:
        self.cmd("postsuper", "-d", "ALL", check=False)

    def reloads(self) -> int:
        return self.log().count("reload -- version")

    # -- mail --------------------------------------------------------------------------------
    def submit(
        self, count: int, prefix: str, *, own_header_every: int = 0, workers: int = 10
    ) -> None:
        """Submit ``count`` messages over SMTP at once; every ``own_header_every``-th carries
        its own X-Company header already."""

        def one(i: int) -> None:
            own = own_header_every and i % own_header_every == 0
            body = (
                "From: crm@example.test\r\n"
                f"To: {prefix}-{i}@example.org\r\n"
                f"Subject: notice {i}\r\n"
                + ("X-Company: Set by the CRM\r\n" if own else "")
                + "\r\nbody\r\n"
            )
            with smtplib.SMTP(
                "127.0.0.1", self.port, timeout=30, local_hostname="crm.example.test"
            ) as client:
                client.sendmail("crm@example.test", [f"{prefix}-{i}@example.org"], body)

        with ThreadPoolExecutor(workers) as pool:
            list(pool.map(one, range(count)))


def wait_until(
    condition: Callable[[], bool], timeout: float, what: str, log: Callable[[], str]
) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(
                f"timed out waiting for {what}\n--- maillog tail ---\n{log()[-4000:]}"
            )
        time.sleep(0.1)
