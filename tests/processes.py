"""Helpers for tests that drive a real smtpops process."""

from __future__ import annotations

import time


def wait_until_reading(pid: int, seconds: float = 20.0) -> None:
    """Until the process blocks reading its input (Linux: its wait channel), so the SIGINT
    comes as a person's would, while the command waits, not while Python starts."""
    wchan = f"/proc/{pid}/wchan"
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with open(wchan, encoding="ascii") as handle:
                channel = handle.read().strip()
                if "pipe" in channel or "read" in channel or channel == "wait_woken":
                    time.sleep(0.1)
                    return
        except OSError:  # no /proc here: give it time instead
            time.sleep(2.0)
            return
        time.sleep(0.05)
    raise AssertionError("the command never waited for its input")
