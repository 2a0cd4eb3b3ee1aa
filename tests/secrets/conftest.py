"""Fixtures for the secrets tests: fresh age keys (pyrage) outside the repository, a repository
with a real .sops.yaml, the real sops binary, and a recorder of every sops argv."""

from __future__ import annotations

import stat
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from smtpops.encryption import keys as age_keys
from smtpops.encryption import runner

CONFIG = """\
name: {name}
description: Outage notices  # reviewed by IT
host: smtp.example.com
port: 587
tls: STARTTLS
auth_protocol: LOGIN

username: alerts@example.com
helo_hostname: crm.example.com
"""


@dataclass(frozen=True)
class AgeKey:
    recipient: str
    key_file: str

    @property
    def identity(self) -> str:
        lines = Path(self.key_file).read_text().splitlines()
        return next(line for line in lines if line.startswith("AGE-SECRET-KEY-"))

    def env(self) -> dict[str, str]:
        """Environment variables that give sops this key (and only this key)."""
        return {"SOPS_AGE_KEY_FILE": self.key_file}


@pytest.fixture
def keys_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("age-keys")


@pytest.fixture
def make_key(keys_dir: Path) -> Callable[[str], AgeKey]:
    def make(name: str) -> AgeKey:
        made = age_keys.generate(str(keys_dir / f"{name}.txt"), comment=name)
        return AgeKey(made.recipient, made.key_file)

    return make


@dataclass
class Repo:
    root: Path
    keys: dict[str, AgeKey] = field(default_factory=dict)

    def write(self, env: str, name: str, text: str | None = None) -> Path:
        path = self.root / "configs" / env / f"{name}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(CONFIG.format(name=name) if text is None else text)
        return path

    def rel(self, path: Path) -> str:
        return str(path.relative_to(self.root))

    def use_key(self, monkeypatch: pytest.MonkeyPatch, env: str | None) -> None:
        """Make ``env``'s key the only one sops (in this process and its children) can find."""
        monkeypatch.delenv("SOPS_AGE_KEY", raising=False)
        if env is None:
            monkeypatch.delenv("SOPS_AGE_KEY_FILE", raising=False)
        else:
            monkeypatch.setenv("SOPS_AGE_KEY_FILE", self.keys[env].key_file)


@pytest.fixture
def repo(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, make_key: Callable[[str], AgeKey]
) -> Repo:
    """A git repository with configs/ and a .sops.yaml giving production and staging one key
    each (private keys kept outside the repository); the working directory during the test."""
    root = tmp_path / "repo"
    (root / "configs").mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    monkeypatch.chdir(root)
    made = Repo(root)
    for env in ("production", "staging"):
        made.keys[env] = make_key(env)
        age_keys.change_recipients(str(root / ".sops.yaml"), env, add=made.keys[env].recipient)
    return made


@dataclass
class SopsCall:
    argv: list[str]
    stdin: bytes
    returncode: int


@pytest.fixture
def sops_calls(monkeypatch: pytest.MonkeyPatch) -> list[SopsCall]:
    """Every sops process smtpops starts in this test, in order."""
    calls: list[SopsCall] = []
    real = runner.spawn

    def recording(argv, stdin, cwd):  # type: ignore[no-untyped-def]
        result = real(argv, stdin, cwd)
        calls.append(SopsCall(list(argv), stdin, result.returncode))
        return result

    monkeypatch.setattr(runner, "spawn", recording)
    return calls


@pytest.fixture
def sops_shim(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """An executable that logs its own command line (read back from /proc) and then runs
    the real sops; returns (shim, log)."""
    folder = tmp_path_factory.mktemp("shim")
    log = folder / "argv.log"
    shim = folder / "sops"
    real = runner.sops_binary()
    shim.write_text(
        "#!/bin/sh\n"
        f"tr '\\0' ' ' < /proc/$$/cmdline >> '{log}'\n"
        f"echo >> '{log}'\n"
        f"exec '{real}' \"$@\"\n"
    )
    shim.chmod(shim.stat().st_mode | stat.S_IXUSR)
    return shim, log
