"""``smtpops test --env`` runs its tests at the same time (bounded, configurable): silent
servers cost one wait, not one wait each. Times are asserted relative to the wait timeout,
and the bound that proves the limit is a lower bound, so a slow machine cannot fail it."""

from __future__ import annotations

import socket
import threading
import time
from typing import Any

from tests.conftest import CANARY

WAIT = 0.5  # --wait-timeout: what each silent server costs at least
SILENT = 16


def _silent(conn: socket.socket, stop: threading.Event) -> None:
    stop.wait()  # accept, never say a word


def _environment(raw_server: Any, write_config: Any, count: int = SILENT) -> None:
    for i in range(count):
        server = raw_server(_silent)
        write_config(
            name=f"silent-{i}",
            host="localhost",
            port=server.port,
            tls="STARTTLS",
            auth_protocol="LOGIN",
            username="crm@example.com",
            helo_hostname="crm.example.com",
            wait_timeout=5,
        )


def _test_env(run_cli: Any, *args: str) -> tuple[Any, float]:
    start = time.monotonic()
    result = run_cli(
        "test",
        "--env",
        "development",
        "--password-stdin",
        "--wait-timeout",
        str(WAIT),
        *args,
        input=CANARY + "\n",
    )
    return result, time.monotonic() - start


def test_silent_servers_are_waited_for_at_the_same_time(raw_server, write_config, run_cli):
    _environment(raw_server, write_config)
    result, took = _test_env(run_cli)
    assert result.exit_code == 1, repr(result)
    assert f"0 of {SILENT} configs of development passed" in result.stdout
    # four at a time (the old limit) would need at least SILENT / 4 waits
    assert took < (SILENT / 4) * WAIT, f"{took:.2f} s: the tests did not all run at once"


def test_jobs_bounds_how_many_run_at_once(raw_server, write_config, run_cli):
    _environment(raw_server, write_config, count=6)
    result, took = _test_env(run_cli, "--jobs", "2")
    assert result.exit_code == 1, repr(result)
    assert "0 of 6 configs of development passed" in result.stdout
    # two at a time: 3 rounds of at least one wait each
    assert took >= 3 * WAIT, f"{took:.2f} s: more than 2 ran at once"


def test_jobs_from_the_environment_and_refused_when_not_a_count(
    raw_server, write_config, run_cli, monkeypatch
):
    monkeypatch.setenv("SMTPOPS_JOBS", "0")
    result = run_cli("test", "--env", "development")
    assert result.exit_code == 2
    assert "--jobs" in result.stderr
