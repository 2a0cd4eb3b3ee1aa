"""A large ``validate`` run checks its files in forked workers (smtpops.fanout): the report is
the serial one, byte for byte, and a worker that fails costs only time."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from smtpops import engine, fanout, yamlio
from smtpops.validation_options import Options

ROOT = Path(__file__).resolve().parents[1]

# text edits that make findings of many kinds: schema, host, TLS, headers, repository rules
# (a second active config, a name used twice), suppressions used and unused, a ca_file that
# is looked up on disk
EDITS = [
    lambda t: t,
    lambda t: t.replace("port: 587", "port: 0"),
    lambda t: t + "hots: typo.example.com\n",
    lambda t: t + 'custom_headers: "X-Department: Billing\\nFrom: evil@example.com"\n',
    lambda t: t + "ca_file: certs/missing-ca.pem\n",
    lambda t: t.replace("active: false", "active: true"),
    lambda t: t + "max_connections: 500  # smtpops: ignore[LIMIT001] bulk night run\n",
    lambda t: "# smtpops: ignore[HOST003] not about the next line\n" + t,
    lambda t: "# SMTP password: Summer-2024!\n" + t,
]


def _tree(root: Path, count: int) -> Path:
    """A repository of ``count`` configs made from the bundled ones, with broken files too."""
    shutil.copytree(ROOT / "configs", root / "configs")
    shutil.copytree(ROOT / "schemas", root / "schemas")
    bundled = sorted((ROOT / "configs").glob("*/*.yaml"))
    for i in range(count):
        source = bundled[i % len(bundled)]
        env = source.parent.name
        text = source.read_text(encoding="utf-8")
        text = text.replace(f"name: {source.stem}", f"name: gen-{i:04d}")
        if i % 97 == 0:
            text = text.replace(f"name: gen-{i:04d}", "name: gen-0000")  # a name used twice
        text = EDITS[i % len(EDITS)](text)
        if i % 101 == 0:
            text += "port: 2525\n"  # a duplicate key: the loader refuses the file
        if i % 151 == 0:
            text = "host: [unclosed\n"
        if i % 173 == 0:
            text = "- just\n- a list\n"
        (root / "configs" / env / f"gen-{i:04d}.yaml").write_text(text, encoding="utf-8")
    os.symlink(
        root / "configs" / "development" / "sandbox.yaml",
        root / "configs" / "development" / "linked.yaml",
    )
    return root


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _tree(tmp_path_factory.mktemp("fanout"), 640)


@pytest.fixture(autouse=True)
def alone(monkeypatch: pytest.MonkeyPatch) -> None:
    """This process counts as having no other thread: in a full test run, threads that other
    tests' servers leave behind would keep every run serial. The check itself is tested by
    test_never_forks_beside_other_threads, with a thread of its own."""
    if "beside_other_threads" not in os.environ.get("PYTEST_CURRENT_TEST", ""):
        monkeypatch.setattr(fanout, "other_threads", lambda: False)


@pytest.fixture
def forks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The workers really forked (os.fork still forks; the list records each child's pid)."""
    started: list[int] = []
    real = os.fork

    def fork() -> int:
        pid = real()
        if pid:
            started.append(pid)
        return pid

    monkeypatch.setattr(os, "fork", fork)
    return started


def _run(tree: Path, jobs: int | None, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, Any]:
    monkeypatch.chdir(tree)
    report, looked_up = engine.validate_recorded(("configs",), Options(), jobs=jobs)
    return report, looked_up


def _no_children_left() -> bool:
    try:
        os.waitpid(-1, os.WNOHANG)  # a child left: running (0, 0) or a zombie (pid, status)
    except ChildProcessError:
        return True
    return False


def test_workers_give_the_report_of_a_serial_run(tree, forks, monkeypatch) -> None:
    serial = _run(tree, 1, monkeypatch)
    assert forks == []
    for jobs in (2, 3):
        assert _run(tree, jobs, monkeypatch) == serial
    assert len(forks) == 1 + 2
    assert _no_children_left()
    report, looked_up = serial
    rules = {d.rule_id for d in report.diagnostics}
    # the tree is a real test of the merge: findings of files, of the repository, of
    # suppressions, and files refused by the loader, in every slice
    assert {"FILE002", "FILE001", "FILE005", "FILE010", "SCHEMA001", "CRED010"} <= rules
    assert {"SUPP002"} <= rules and any(r.startswith("REPO") for r in rules)
    assert any("missing-ca.pem" in path for path in looked_up)
    paths = {d.location.path for d in report.diagnostics}
    assert any("gen-0001" in p for p in paths) and any("gen-0630" in p for p in paths)


def test_the_command_line_report_is_the_same_with_workers(tree) -> None:
    """What a user sees, in every format: ``--jobs 1`` and the default (two processes here,
    or one on a one-CPU machine) and ``--jobs 2`` print the same bytes and exit alike."""
    env = os.environ | {"NO_COLOR": "1"}
    outputs = {}
    for fmt in ("text", "json", "sarif"):
        seen = set()
        for jobs in (["--jobs", "1"], [], ["--jobs", "2"], ["-j", "3"]):
            cmd = [sys.executable, "-m", "smtpops", "validate", "--no-cache", "--format", fmt]
            proc = subprocess.run(
                [*cmd, *jobs, "configs"], cwd=tree, env=env, capture_output=True, text=True
            )
            assert proc.returncode == 1, proc.stderr
            seen.add((proc.stdout, proc.stderr))
        assert len(seen) == 1, fmt
        outputs[fmt] = seen.pop()[0]
    assert "gen-0005.yaml" in outputs["text"]


def test_jobs_must_be_a_positive_number(run_cli) -> None:
    result = run_cli("validate", "--jobs", "0", "configs")
    assert result.exit_code == 2
    assert "--jobs" in result.stderr and "Traceback" not in result.output


@pytest.mark.parametrize("how", ["killed", "raises"])
def test_a_worker_that_fails_costs_only_time(tree, forks, monkeypatch, how) -> None:
    serial = _run(tree, 1, monkeypatch)
    parent = os.getpid()
    real = fanout._payload

    def failing(run: Any, start: Any) -> bytes:
        if os.getpid() != parent:  # only in the worker
            if how == "killed":
                os.kill(os.getpid(), signal.SIGKILL)
            raise MemoryError("worker ran out of memory")
        return real(run, start)

    monkeypatch.setattr(fanout, "_payload", failing)
    assert _run(tree, 3, monkeypatch) == serial
    assert len(forks) == 2
    assert _no_children_left()


def test_a_damaged_payload_is_not_trusted(tree, forks, monkeypatch) -> None:
    serial = _run(tree, 1, monkeypatch)
    real = fanout._payload
    monkeypatch.setattr(fanout, "_payload", lambda run, start: real(run, start)[:-100])
    assert _run(tree, 2, monkeypatch) == serial
    assert len(forks) == 1


def test_no_worker_outlives_a_run_that_fails_here(tree, forks, monkeypatch) -> None:
    """Ctrl-C (or a failure) while this process checks its own slice: the workers are
    stopped and reaped, not left running or as zombies."""
    parent = os.getpid()
    real = engine.Run.check_file
    calls = []

    def interrupted(self: Any, item: Any, env: Any) -> None:
        if os.getpid() == parent:
            calls.append(item)
            if len(calls) == 5:
                raise KeyboardInterrupt
        real(self, item, env)

    monkeypatch.setattr(engine.Run, "check_file", interrupted)
    with pytest.raises(KeyboardInterrupt):
        _run(tree, 3, monkeypatch)
    assert len(forks) == 2
    assert _no_children_left()


def test_how_many_processes() -> None:
    cpus = fanout.usable_cpus()
    assert cpus >= 1
    assert fanout.processes_for(10, None) == 1  # too few files to be worth a fork
    assert fanout.processes_for(10, 8) == 1  # even when more processes are asked for
    assert fanout.processes_for(100_000, None) == cpus
    assert fanout.processes_for(10_000, 3) == 3  # asked for
    assert fanout.processes_for(fanout.FILES_PER_WORKER * 2, 8) == 2  # enough files for 2
    assert fanout.processes_for(10_000, 1) == 1


def test_never_forks_beside_other_threads() -> None:
    """The web page and the agent validate from threads: a fork there could copy a lock
    that another thread holds. Such a process checks its files itself."""
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert fanout.other_threads()
        assert fanout.processes_for(10_000, 4) == 1
    finally:
        stop.set()
        other.join()


def test_a_document_sent_without_marks_finds_the_same_ones() -> None:
    for path in sorted((ROOT / "configs").glob("*/*.yaml")):
        doc = yamlio.load_path(str(path))
        sent = yamlio.Document.deferred(doc.data, doc.text)
        assert sent.mark(("host",)) == doc.mark(("host",)) is not None
        assert sent.keys == doc.keys and sent.values == doc.values
        assert sent == doc
