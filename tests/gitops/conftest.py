"""Fixtures for the gitops tests: a real git repository in a temp dir with a fixed author,
real age keys and sops, and a real SMTP server on loopback (STARTTLS, AUTH LOGIN/PLAIN)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
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


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    port: int
    ca_pem: bytes
    password: str
    messages: list[str] = field(default_factory=list)


@pytest.fixture(scope="session")
def smtp_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A real SMTP server on 127.0.0.1 with STARTTLS (trustme certificate) and AUTH."""
    import ssl

    import trustme
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult, LoginPassword

    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "localhost")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(context)

    def authenticator(server, session, envelope, mechanism, auth_data):  # type: ignore[no-untyped-def]
        ok = isinstance(auth_data, LoginPassword) and auth_data.login.decode() == USER and (
            auth_data.password.decode() == CANARY)
        return AuthResult(success=ok)

    class Handler:
        async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
            return "250 OK"

    port = free_port()
    controller = Controller(
        Handler(), hostname="127.0.0.1", port=port, tls_context=context,
        require_starttls=True, authenticator=authenticator, auth_require_tls=True,
        server_hostname="127.0.0.1", ready_timeout=5,
    )
    controller.start()
    try:
        yield Server(port=port, ca_pem=ca.cert_pem.bytes(), password=CANARY)
    finally:
        controller.stop()


BOOT = """
import sys
from tests.gitops import conftest
if not conftest._probe_available():
    from smtpops.gitops import gate
    gate.default_tester = conftest.smtplib_tester
from smtpops.cli import main
main(sys.argv[1:])
"""


@dataclass
class Project:
    root: Path
    server: Server
    keys: dict[str, str]  # env → AGE-SECRET-KEY (kept in memory and the env var only)

    def config_text(self, name: str, **fields: object) -> str:
        values: dict[str, object] = {
            "name": name, "description": f"{name} relay", "active": False,
            "host": "127.0.0.1", "port": self.server.port, "tls": "STARTTLS",
            "verify_certificate": True, "ca_file": "ca.pem", "auth_protocol": "LOGIN",
            "username": USER, "from_address": USER, "helo_hostname": "crm.example.test",
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

    def add_config(self, env: str, name: str, *, password: str = CANARY, commit: bool = True,
                   **fields: object) -> Path:
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
        env["PYTHONPATH"] = str(Path(__file__).resolve().parents[2])
        return env

    def smtpops(self, *args: str, **kwargs: object) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [sys.executable, "-c", BOOT, *args], cwd=self.root, env=self.subprocess_env(),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs,  # type: ignore[call-overload]
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


def _probe_available() -> bool:
    try:
        from smtpops.probe import run_probe  # noqa: F401
    except ImportError:
        return False
    return True


@dataclass(frozen=True)
class _Step:
    name: str
    ok: bool
    duration_ms: int
    detail: str = ""
    status: str = "passed"

    @property
    def title(self) -> str:
        return self.name


@dataclass(frozen=True)
class _Report:
    passed: bool
    summary: str
    facts: dict[str, str]
    steps: tuple[_Step, ...] = ()

    def to_dict(self) -> dict[str, object]:
        return {"passed": self.passed, "summary": self.summary, "facts": self.facts}


def smtplib_tester(base_dir: str):  # type: ignore[no-untyped-def]
    """A real connection test with smtplib, used only until smtpops.probe exists."""
    import smtplib
    import ssl
    import time

    def run(config, password, env):  # type: ignore[no-untyped-def]
        start = time.monotonic()
        facts = {"host": config.host, "port": str(config.port)}
        try:
            with smtplib.SMTP(config.host, config.port, timeout=5) as client:
                context = ssl.create_default_context(cafile=os.path.join(base_dir, config.ca_file))
                client.starttls(context=context)
                facts["tls_version"] = client.sock.version()  # type: ignore[union-attr]
                client.login(config.username, password.reveal())
                facts["auth_mechanism"] = config.auth_protocol
        except (OSError, smtplib.SMTPException) as exc:
            return _Report(passed=False, summary=f"failed: {type(exc).__name__}", facts=facts,
                           steps=(_Step("auth", False, 1, status="failed"),))
        facts["duration_ms"] = str(int((time.monotonic() - start) * 1000))
        return _Report(passed=True, summary="passed", facts=facts,
                       steps=(_Step("auth", True, int(facts["duration_ms"])),))

    return run


@pytest.fixture(autouse=True)
def _interim_tester(monkeypatch: pytest.MonkeyPatch) -> None:
    if not _probe_available():
        from smtpops.gitops import gate

        monkeypatch.setattr(gate, "default_tester", smtplib_tester)


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
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    out, err = proc.communicate(timeout=timeout)
    return code, out, err
