"""Fixtures for the gitops tests: a real git repository in a temp dir with a fixed author,
real age keys and sops, and a real SMTP server on loopback (STARTTLS, AUTH LOGIN/PLAIN)."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import CANARY

AUTHOR = ("Ada Admin", "ada@example.test")
USER = "crm@example.test"
ENVS = ("development", "staging", "production")

ENVIRONMENTS_YAML = """\
environments:
  - name: development
    policy: relaxed
  - name: staging
    policy: relaxed
  - name: production
    policy: relaxed
"""


def git(root: Path, *args: str) -> str:
    out = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True)
    return out.stdout


@dataclass
class Server:
    port: int
    ca_pem: bytes
    box: object


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[Server]:
    """smtpops' own sandbox: a real SMTP server on 127.0.0.1 with STARTTLS (a generated CA)
    and AUTH, whose password is the canary."""
    from smtpops.probe.sandbox import Sandbox

    with Sandbox(username=USER, password=CANARY) as box:
        with open(box.ca_file, "rb") as handle:
            ca_pem = handle.read()
        yield Server(port=box.starttls_port, ca_pem=ca_pem, box=box)


@dataclass
class Project:
    root: Path
    server: Server
    keys: dict[str, str]  # env → AGE-SECRET-KEY (kept in memory and the env var only)

    def config_text(self, name: str, **fields: object) -> str:
        values: dict[str, object] = {
            "name": name,
            "description": f"{name} relay",
            "active": False,
            "host": "127.0.0.1",
            "port": self.server.port,
            "tls": "STARTTLS",
            "verify_certificate": True,
            "ca_file": "ca.pem",
            "auth_protocol": "LOGIN",
            "username": USER,
            "from_address": USER,
            "helo_hostname": "crm.example.test",
            "wait_timeout": 5,
        }
        values.update(fields)
        lines = []
        for key, value in values.items():
            if value is None:
                continue
            if isinstance(value, bool):
                value = "true" if value else "false"
            lines.append(f"{key}: {value}")
        return "\n".join(lines) + "\n"

    def add_config(
        self, env: str, name: str, *, password: str = CANARY, commit: bool = True, **fields: object
    ) -> Path:
        from smtpops.encryption import set_password
        from smtpops.secret import Secret

        path = self.root / "configs" / env / f"{name}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.config_text(name, **fields), encoding="utf-8")
        set_password(str(path), Secret(password))
        if commit:
            self.commit(f"Add {env}/{name}")
        return path

    def commit(self, message: str) -> str:
        git(self.root, "add", "-A")
        git(self.root, "commit", "-q", "-m", message)
        return self.head()

    def head(self) -> str:
        return git(self.root, "rev-parse", "HEAD").strip()

    def status(self) -> str:
        return git(self.root, "status", "--porcelain", "--untracked-files=all")

    def snapshot(self) -> dict[str, bytes]:
        """Every file of the work tree (outside .git and .smtpops) with its bytes."""
        found = {}
        for path in sorted(self.root.rglob("*")):
            rel = path.relative_to(self.root).as_posix()
            if path.is_file() and not rel.startswith((".git/", ".smtpops/")):
                found[rel] = path.read_bytes()
        return found

    def active(self, env: str) -> list[str]:
        import yaml

        names = []
        for path in sorted((self.root / "configs" / env).glob("*.yaml")):
            if (yaml.safe_load(path.read_text()) or {}).get("active") is True:
                names.append(path.stem)
        return names

    def subprocess_env(self) -> dict[str, str]:
        env = dict(os.environ)
        env["SOPS_AGE_KEY"] = "\n".join(self.keys.values())
        return env

    def smtpops(self, *args: str, **kwargs: object) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [sys.executable, "-m", "smtpops", *args],
            cwd=self.root,
            env=self.subprocess_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            **kwargs,  # type: ignore[call-overload]
        )


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, smtp_server: Server) -> Project:
    """A git repository with configs/ for three environments, one age key per environment in
    .sops.yaml, the server's CA file, and one initial commit by a fixed author."""
    import pyrage

    from smtpops.encryption.keys import change_recipients

    root = tmp_path / "repo"
    (root / "configs").mkdir(parents=True)
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.name", AUTHOR[0])
    git(root, "config", "user.email", AUTHOR[1])
    git(root, "config", "commit.gpgsign", "false")
    keys = {}
    for env in ENVS:
        identity = pyrage.x25519.Identity.generate()
        keys[env] = str(identity)
        change_recipients(str(root / ".sops.yaml"), env, add=str(identity.to_public()))
    (root / "configs" / "environments.yaml").write_text(ENVIRONMENTS_YAML)
    (root / "ca.pem").write_bytes(smtp_server.ca_pem)
    (root / ".gitignore").write_text(".smtpops/\n")
    monkeypatch.setenv("SOPS_AGE_KEY", "\n".join(keys.values()))
    monkeypatch.chdir(root)
    for var in ("CI", "GITHUB_ACTIONS", "GITHUB_ACTOR"):
        monkeypatch.delenv(var, raising=False)
    project = Project(root=root, server=smtp_server, keys=keys)
    project.commit("Initial layout")
    return project


HOOK = """#!/bin/sh
# test hook: .git/hold makes the commit wait (and say so), .git/reject makes it fail
if [ -f .git/reject ]; then echo "rejected by the team's pre-commit policy" >&2; exit 1; fi
if [ -f .git/hold ]; then touch .git/held; sleep 30; fi
exit 0
"""


def install_hook(project: Project) -> None:
    hook = project.root / ".git" / "hooks" / "pre-commit"
    hook.write_text(HOOK)
    hook.chmod(0o755)


def wait_for(path: Path, proc: subprocess.Popen[str], timeout: float = 15.0) -> None:
    import time

    deadline = time.monotonic() + timeout
    while not path.exists():
        if proc.poll() is not None:
            raise AssertionError(f"process ended early: {proc.communicate()}")
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.02)


def finish(proc: subprocess.Popen[str], timeout: float = 20.0) -> tuple[int, str, str]:
    """Wait for the process, then stop what it left behind (a hook's sleep) and read it."""
    import signal

    code = proc.wait(timeout=timeout)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    out, err = proc.communicate(timeout=timeout)
    return code, out, err
