"""The advice tables (what to tell the user about each failure class) load only when a step
fails: a passing test reads none of them. The messages themselves are tested with each
failure (test_login_faults.py, test_server_faults.py)."""

from __future__ import annotations

import subprocess
import sys


def test_the_probe_steps_load_no_advice() -> None:
    code = (
        "import sys, smtpops.probe, smtpops.probe.runner, smtpops.probe.secure, "
        "smtpops.probe.steps, smtpops.probe.token_step\n"
        "print(sorted(m for m in sys.modules if m.endswith('advice')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
