"""The whole CLI, in-process, under hostile input: random YAML trees, random bytes and random
Unicode in the files it reads (configs, environments.yaml, .sops.yaml), the same files
changed in a commit (diff, history, status), and option soup over every command of the click
command tree. Whatever comes in, no internal error (exit 70) and no traceback.

Every input runs in a fresh copy of a small git repository with real age keys and a real
sops-encrypted config. Servers are on loopback only: the configs point at 127.0.0.1 on a
closed port, and --dns only ever names 127.0.0.1.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
import pytest
from hypothesis import given
from hypothesis import strategies as st

from smtpops.cli import cli
from tests.conftest import CANARY, RunCli, assert_no_canary
from tests.fuzz.conftest import examples
from tests.fuzz.yaml_trees import documents

INTERNAL = 70
TARGETS = (
    "configs/development/fuzz.yaml",
    "configs/production/fuzz.yaml",
    "configs/production/main.yaml",
    "configs/environments.yaml",
    ".sops.yaml",
)
READERS = (
    ("validate",),
    ("validate", "--format", "github"),
    ("validate", "--format", "sarif"),
    ("validate", "--format", "junit", "--strict"),
    ("secrets", "check"),
    ("secrets", "check", "--format", "json"),
    ("status",),
    ("rules", "FILE009"),
)


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


def _config(name: str, port: int, active: bool) -> str:
    return (
        f"name: {name}\ndescription: fuzz target\nactive: {'true' if active else 'false'}\n"
        f"host: 127.0.0.1\nport: {port}\ntls: STARTTLS\nauth_protocol: LOGIN\n"
        "username: crm@example.test\nfrom_address: crm@example.test\n"
        "helo_hostname: crm.example.test\nwait_timeout: 1\n"
    )


@pytest.fixture(scope="module")
def repository(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A git repository: development and production, an age key each (the private keys in
    SOPS_AGE_KEY during the test), one encrypted config per environment, two commits."""
    import pyrage

    from smtpops.encryption import set_password
    from smtpops.encryption.keys import change_recipients
    from smtpops.secret import Secret

    root = tmp_path_factory.mktemp("fuzz-template") / "repo"
    (root / "configs").mkdir(parents=True)
    _git(root, "init", "-q", "-b", "main")
    for key, value in (("user.name", "Fuzz"), ("user.email", "fuzz@example.test")):
        _git(root, "config", key, value)
    _git(root, "config", "commit.gpgsign", "false")
    identities = []
    for env in ("development", "production"):
        identity = pyrage.x25519.Identity.generate()
        identities.append(str(identity))
        change_recipients(str(root / ".sops.yaml"), env, add=str(identity.to_public()))
    (root / "configs" / "environments.yaml").write_text(
        "environments:\n  - name: development\n    policy: relaxed\n"
        "  - name: production\n    policy: strict\n",
        encoding="utf-8",
    )
    (root / ".gitignore").write_text(".smtpops/\n", encoding="utf-8")
    port = _closed_port()
    for env, active in (("development", True), ("production", False)):
        path = root / "configs" / env / "main.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(_config("main", port, active), encoding="utf-8")
        set_password(str(path), Secret(CANARY))
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "Initial layout")
    path = root / "configs" / "development" / "main.yaml"
    path.write_text(path.read_text().replace("wait_timeout: 1", "wait_timeout: 2"), "utf-8")
    _git(root, "commit", "-q", "-am", "Raise the timeout")
    return root, "\n".join(identities)


@pytest.fixture
def template(repository: tuple[Path, str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """The repository to copy, with its private keys where sops looks (SOPS_AGE_KEY), and
    Postfix's default configuration folder moved to an empty temp folder: `apply` and
    `--apply postfix` must never touch this machine's /etc/postfix."""
    from smtpops.delivery.postfix import target

    root, keys = repository
    monkeypatch.setenv("SOPS_AGE_KEY", keys)
    monkeypatch.delenv("SMTPOPS_DNS", raising=False)
    monkeypatch.setattr(target, "DEFAULT_CONFIG_DIR", str(tmp_path / "no-postfix-here"))
    return root


@contextlib.contextmanager
def fresh(template: Path) -> Iterator[Path]:
    """A copy of the template repository as the working directory, removed afterwards."""
    parent = Path(tempfile.mkdtemp(prefix="smtpops-fuzz-"))
    root = parent / "repo"
    shutil.copytree(template, root, symlinks=True)
    here = os.getcwd()
    os.chdir(root)
    try:
        yield root
    finally:
        os.chdir(here)
        shutil.rmtree(parent, ignore_errors=True)


def run(run_cli: RunCli, *args: str, input: str | None = "") -> Any:
    """``smtpops ARGS`` in-process through the run_cli fixture (an exception that escapes the
    CLI fails the test with its traceback): no internal error, no traceback, no password in the
    output, whatever the input."""
    result = run_cli(*args, input=input)
    shown = f"smtpops {' '.join(map(repr, args))} -> exit {result.exit_code}\n{result.output}"
    assert result.exit_code != INTERNAL, shown
    assert "internal error" not in result.stderr, shown
    assert "Traceback" not in result.output, shown
    assert_no_canary(result.output)
    return result


def place(root: Path, target: str, content: str | bytes) -> None:
    path = root / target
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_bytes(content.encode("utf-8", "surrogatepass"))


_targets = st.sampled_from(TARGETS)
_readers = st.sampled_from(READERS)


@examples(dev=40, slow=1300)
@given(
    content=documents() | st.binary(max_size=2000) | st.text(max_size=2000),
    target=_targets,
    reader=_readers,
)
def test_hostile_files(
    template: Path, run_cli: RunCli, content: str | bytes, target: str, reader: tuple[str, ...]
) -> None:
    """A random YAML tree, random bytes or random Unicode as a config, environments.yaml or
    .sops.yaml, read by validate (every format), secrets check, status and rules."""
    with fresh(template) as root:
        place(root, target, content)
        run(run_cli, *reader)


_review = st.sampled_from(
    [
        ("diff", "HEAD~1", "HEAD"),
        ("diff", "HEAD~1", "HEAD", "--format", "markdown"),
        ("diff", "HEAD~1", "HEAD", "--format", "json"),
        ("diff", "HEAD"),
        ("history",),
        ("history", "--env", "production", "--format", "json"),
        ("status", "--format", "json"),
    ]
)


@examples(dev=10, slow=350)
@given(
    content=documents() | st.binary(max_size=600) | st.text(max_size=600),
    target=_targets,
    args=_review,
    subject=st.text(min_size=1, max_size=60).filter(lambda s: s.strip() and "\0" not in s),
)
def test_hostile_commits_under_review(
    template: Path,
    run_cli: RunCli,
    content: str | bytes,
    target: str,
    args: tuple[str, ...],
    subject: str,
) -> None:
    """A pull request that commits a hostile file, with a hostile commit subject."""
    with fresh(template) as root:
        place(root, target, content)
        _git(root, "add", "-A")
        _git(root, "commit", "-q", "--allow-empty", "-m", subject)
        result = run(run_cli, *args)
        assert "\x1b" not in result.stdout or "json" in args


# ---- option soup over the click command tree ----------------------------------------------

VALUES = (
    "", "-", "--", "x", "development", "production", "development/main", "production/main",
    "main", "configs", "configs/development/main.yaml", "HEAD", "HEAD~1", "HEAD~99", "main@{1}",
    "..", "../outside.json", "a/b/c", "0", "-1", "1", "2.5", "1e309", "nan", "99999999999",
    "json", "text", "json:out.json", "sarif:", "FILE", "HOST001", "PORT,TLS", "ops@example.com",
    "ops@example.com\r\nRCPT TO:<x@example.com>", "a@example.com> NOTIFY=NEVER",
    "x\x1b]0;title\x07", "\u202eevil", "nl\nname", "tab\tname", "é" * 3, "x" * 300,
    "--help", "-h", "--format", "2 weeks ago", "port=2525", "host=127.0.0.1", "bogus=1",
    "age1ydl6kty27tvw5a90frqw66n9tt7us87cf09vzvs57gvrmrah5p3slatu6n", "age1notakey",
    "gmail", "office365", "custom", "--yes", "%s%n", "{name}", "$(id)", "'; rm -rf /",
)  # fmt: skip
DNS = ("127.0.0.1:1", "127.0.0.1", "[::1]:1", "not-an-ip", "127.0.0.1:99999", "")


def _commands() -> list[tuple[tuple[str, ...], click.Command]]:
    ctx = click.Context(cli)
    found: list[tuple[tuple[str, ...], click.Command]] = []

    def walk(command: click.Command, path: tuple[str, ...]) -> None:
        found.append((path, command))
        if isinstance(command, click.Group):
            for name in command.list_commands(ctx):
                sub = command.get_command(ctx, name)
                if sub is not None:
                    walk(sub, (*path, name))

    walk(cli, ())
    return found


COMMANDS = _commands()


# random text, but never a path out of the temp folder: the fuzz runs as root in CI
_TEXT = st.text(max_size=12).filter(lambda t: not t.startswith(("/", "~")) and ".." not in t)


def _value(param: click.Parameter) -> st.SearchStrategy[str]:
    if param.name == "config_dir":
        return st.sampled_from(["", "x", "configs", "../no-postfix"])
    if isinstance(param.type, click.Choice):
        return st.sampled_from([str(c) for c in param.type.choices]) | st.sampled_from(VALUES)
    if param.name == "dns":
        return st.sampled_from(DNS)
    if isinstance(param.type, click.types.IntParamType | click.types.FloatParamType):
        return st.sampled_from(["0", "1", "-1", "0.05", "65536", "x", "1e9", "2"])
    return st.sampled_from(VALUES) | _TEXT


@st.composite
def soup(draw: st.DrawFn) -> list[str]:
    """A command path and a random mix of its options and arguments, valid or not."""
    path, command = draw(st.sampled_from(COMMANDS))
    if path == ("exec",):  # COMMAND runs: never a random program, only `true`
        rev = draw(st.sampled_from([[], ["--rev", "HEAD"], ["--rev", "x"]]))
        return ["exec", draw(st.sampled_from(VALUES)), *rev, "--", "true"]
    if path == ("ui",):  # it serves until Ctrl+C: only its help and option errors
        return ["ui", *draw(st.sampled_from([["--help"], ["--port", "x"], ["--port", "-1"]]))]
    argv = list(path)
    params = list(command.params)
    if path == ("agent",):  # one round on this repository, on a free port; no apply target
        # (--apply command runs a program), no other repository (the network)
        argv += ["--once", "--repository", ".", "--listen", "127.0.0.1:0", "--workdir", "agent"]
        params = [p for p in params if p.name in ("envs", "branch", "interval", "log_format")]
    for _ in range(draw(st.integers(min_value=0, max_value=6))):
        if not params or draw(st.integers(0, 4)) == 0:
            argv.append(draw(st.sampled_from(VALUES)))
            continue
        param = draw(st.sampled_from(params))
        if isinstance(param, click.Option):
            argv.append(draw(st.sampled_from(param.opts + param.secondary_opts)))
            if not param.is_flag and not param.count:
                argv.append(draw(_value(param)))
        else:
            argv.append(draw(_value(param)))
    if path == ("sandbox",):  # it serves until stopped: stop it at once, on free ports
        argv += ["--duration", "0.05", "--port", "0", "--tls-port", "0"]
    return argv


@examples(dev=30, slow=1500)
# stdin: answers and passwords typed in; not the canary (the configs' password), because a
# prompt's answer is shown back as a terminal would show it
@given(argv=soup(), stdin=st.sampled_from(["", "\n", "Typed-Pw-0a1b!\n", "y\n", "x\x1b\r\n"]))
def test_option_soup(template: Path, run_cli: RunCli, argv: list[str], stdin: str) -> None:
    with fresh(template):
        run(run_cli, *argv, input=stdin)


def test_the_soup_reaches_every_command() -> None:
    names = {" ".join(path) for path, _ in COMMANDS}
    assert {"validate", "secrets check", "keys init", "diff", "deploy", "test"} <= names
    assert len(names) >= 25
