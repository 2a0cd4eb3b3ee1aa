"""Helpers shared by the provider tests (imported by name; conftest only holds fixtures)."""

from __future__ import annotations

import os
import select
import subprocess
import sys
import time
from pathlib import Path

from smtpops.rules.examples import BASE

#: the `password:` line and `sops:` block of the rule-doc base config (real sops output for a
#: discarded key): what a config looks like once its password has been set
ENCRYPTED_PASSWORD = BASE[BASE.index("password:") :]

#: sample values for every template variable a provider may need
SAMPLE_PARAMS = {
    "amazon-ses": {"region": "eu-west-1"},
    "exchange": {"host": "mail.contoso.com"},
    "custom": {"host": "smtp.example.net"},
}


def sample_username(provider) -> dict[str, str]:
    if provider.username_format == "fixed":
        return {}
    return {"username": "alerts@example-utility.com"}


def write_config(root: Path, text: str, env: str = "development", name: str = "example") -> Path:
    path = root / "configs" / env / f"{name}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


class Terminal:
    """``smtpops new`` on a real pseudo-terminal: wait for a prompt, type an answer."""

    def __init__(self, cwd: Path) -> None:
        import pty

        self.master, slave = pty.openpty()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "smtpops", "new"],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            cwd=cwd,
            env={**os.environ, "NO_COLOR": "1"},
            close_fds=True,
        )
        os.close(slave)
        self.seen = b""
        self.seen_all = ""

    def expect(self, text: str) -> None:
        deadline = time.monotonic() + 20
        while text.encode() not in self.seen:
            shown = self.seen.decode(errors="replace")
            assert time.monotonic() < deadline, f"no {text!r} in:\n{shown}"
            ready, _, _ = select.select([self.master], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(self.master, 4096)
                except OSError:  # the child closed the terminal
                    break
                self.seen += chunk
                self.seen_all += chunk.decode(errors="replace")
        assert text.encode() in self.seen, self.seen.decode(errors="replace")
        self.seen = self.seen[self.seen.index(text.encode()) + len(text) :]

    def send(self, answer: str) -> None:
        os.write(self.master, answer.encode() + b"\r")

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        os.close(self.master)
