"""The Postfix commands smtpops runs, always with ``-c CONFIG_DIR``; none gets a secret
in its argv (``postmap`` reads the 0600 map file itself)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

from smtpops.errors import CheckFailed, InputError
from smtpops.records import record

SEARCH = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/usr/bin", "/sbin"])
TIMEOUT = 60.0


class PostfixError(CheckFailed):
    """A Postfix command failed; the running configuration was left as it was."""


def tool(name: str) -> str:
    found = shutil.which(name, path=SEARCH)
    if found is None:
        raise InputError(
            f"the Postfix command {name} is not installed",
            hint="Install Postfix (Debian/Ubuntu: apt-get install postfix libsasl2-modules).",
        )
    return found


@record(frozen=True, kw_only=True)
class Run:
    code: int
    output: str


def run(*argv: str) -> Run:
    try:
        proc = subprocess.run(
            [tool(argv[0]), *argv[1:]],
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        return Run(code=124, output=f"{argv[0]} did not finish within {TIMEOUT:.0f} s")
    return Run(code=proc.returncode, output=(proc.stdout + proc.stderr).strip())


class Postfix:
    """One Postfix instance, named by its configuration directory."""

    def __init__(self, config_dir: str) -> None:
        self.config_dir = os.path.abspath(config_dir)
        if not os.path.isfile(os.path.join(self.config_dir, "main.cf")):
            raise InputError(
                f"{self.config_dir} is not a Postfix configuration directory (no main.cf)",
                hint="Give the folder of main.cf with --config-dir (default /etc/postfix).",
            )

    def check(self, config_dir: str | None = None) -> Run:
        return run("postfix", "-c", config_dir or self.config_dir, "check")

    def chroot(self) -> str:
        """The chroot column of the stock smtp service (the relay transport copies it)."""
        result = run("postconf", "-c", self.config_dir, "-Fh", "smtp/unix/chroot")
        value = result.output.strip() if result.code == 0 else ""
        return value if value in ("y", "n", "-") else "-"

    def running(self) -> bool:
        return run("postfix", "-c", self.config_dir, "status").code == 0

    def reload(self) -> None:
        result = run("postfix", "-c", self.config_dir, "reload")
        if result.code != 0:
            raise PostfixError(
                f"postfix reload failed: {result.output}",
                hint="Check the Postfix log (journalctl -u postfix, or its maillog_file).",
            )

    def flush(self) -> None:
        run("postqueue", "-c", self.config_dir, "-f")

    def postmap(self, path: str) -> None:
        result = run("postmap", "-c", self.config_dir, f"hash:{path}")
        if result.code != 0:
            raise PostfixError(f"postmap {path} failed: {result.output}", hint=None)

    def queue(self) -> list[dict[str, object]]:
        """The queued messages (``postqueue -j``): one record per message."""
        result = run("postqueue", "-c", self.config_dir, "-j")
        if result.code != 0:
            raise PostfixError(f"postqueue -j failed: {result.output}", hint=None)
        found = []
        for line in result.output.splitlines():
            line = line.strip()
            if line.startswith("{"):
                try:
                    found.append(json.loads(line))
                except ValueError:
                    continue
        return found
