"""Hypothesis profiles for the fuzz suite, and a count of the inputs it ran.

- ``dev`` (default): quick, part of the normal test run;
- ``slow``: at least 10,000 inputs over the whole suite, run by ``.ci/run``
  (``HYPOTHESIS_PROFILE=slow .venv/bin/python -m pytest -q tests/fuzz``); the run fails when
  fewer inputs than that were tried (a strategy that ran dry, a test that was skipped). The
  same inputs every run (derandomized), so CI's verdict does not depend on the draw;
- ``explore``: as ``slow``, but new random inputs each run: to hunt for new failures;
- ``ci``: the old name for a longer run (400 inputs per test).

Tests slower than the rest (each input runs a command in-process) set their own numbers with
``examples(dev=…, slow=…)``. No deadline: a shared 2-core machine makes single inputs slow now
and then, and these tests are about crashes, not speed (tests/hostile/ has the time budgets).
"""

from __future__ import annotations

import os
import re
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "dev")
SLOW_TOTAL = 10_000

_COMMON: dict[str, Any] = {
    "deadline": None,
    "suppress_health_check": [
        HealthCheck.too_slow,
        HealthCheck.function_scoped_fixture,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
}
settings.register_profile("dev", max_examples=60, **_COMMON)
settings.register_profile("ci", max_examples=400, print_blob=True, **_COMMON)
settings.register_profile("slow", max_examples=450, print_blob=True, derandomize=True, **_COMMON)
settings.register_profile("explore", max_examples=450, print_blob=True, **_COMMON)
settings.load_profile(PROFILE)


def examples(*, dev: int, slow: int) -> settings:
    """Settings for a test whose inputs are costly: ``dev`` of them normally, ``slow`` in the
    slow profile (the other settings come from the profile)."""
    return settings(max_examples=slow if PROFILE in ("slow", "explore") else dev)


_RAN = re.compile(r"(\d+) passing, (\d+) failing")
_counts: dict[str, int] = {}
_partial: list[bool] = []  # some tests were deselected (-k, --deselect): no promise to keep


def pytest_deselected(items: list[pytest.Item]) -> None:
    if items:
        _partial.append(True)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    yield
    stats = getattr(item, "hypothesis_statistics", None)
    if call.when == "call" and isinstance(stats, str):
        _counts[item.nodeid] = sum(int(a) + int(b) for a, b in _RAN.findall(stats))


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if _counts:
        total = sum(_counts.values())
        terminalreporter.write_line(
            f"fuzz ({PROFILE} profile): {total} inputs in {len(_counts)} hypothesis tests"
        )


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    total = sum(_counts.values())
    slow = PROFILE in ("slow", "explore")
    if slow and _counts and not _partial and total < SLOW_TOTAL and exitstatus == 0:
        session.exitstatus = 1
        print(f"\nfuzz: only {total} inputs ran, fewer than the {SLOW_TOTAL} the slow run promises")
