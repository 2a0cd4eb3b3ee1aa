"""``smtpops`` as a process ends at once after its command (``cli._end``: no interpreter
teardown) and loses nothing by it: the whole output, the exit status, the ``atexit``
functions; with another thread still running, or a reader that went away, it exits the
usual way."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# a process that runs smtpops' main() as the console script does, with an exit function
# and optionally a thread that ends after the command
WRAPPER = """\
import atexit, sys, threading, time
atexit.register(lambda: print("exit function ran", file=sys.stderr))
if {thread!r}:
    threading.Thread(target=lambda: (time.sleep(0.3), print("thread done", file=sys.stderr))).start()
from smtpops.cli import main
main({argv!r})
"""


def _run(argv: list[str], thread: bool = False) -> subprocess.CompletedProcess[str]:
    code = WRAPPER.format(argv=argv, thread=thread)
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60
    )


def test_the_whole_output_and_status_arrive(run_cli) -> None:  # type: ignore[no-untyped-def]
    args = ["validate", "--no-cache", "--format", "json", "configs"]
    done = _run(args)
    same = run_cli(*args)
    assert done.returncode == same.exit_code
    assert json.loads(done.stdout) == json.loads(same.stdout)
    assert done.stderr.strip().endswith("exit function ran")


def test_a_usage_error_keeps_its_status_and_message() -> None:
    done = _run(["validate", "--format", "nonsense"])
    assert done.returncode == 2
    assert "nonsense" in done.stderr and "exit function ran" in done.stderr


def test_a_running_thread_is_waited_for() -> None:
    done = _run(["rules"], thread=True)
    assert done.returncode == 0
    assert "thread done" in done.stderr and "exit function ran" in done.stderr


def test_a_reader_that_went_away_gets_no_traceback() -> None:
    """``smtpops validate | head -0``: the pipe is closed before a byte is written. The
    command stops quietly with status 1, whether the write fails while it runs
    (``guarded``) or when the output is flushed at the end (``_end``)."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "smtpops", "validate", "--no-cache", "configs"],
            cwd=ROOT,
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
        )
    finally:
        os.close(write_end)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr and "Exception ignored" not in done.stderr
