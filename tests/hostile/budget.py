"""Linear growth, measured: run a piece of work on an input of size n and of size 2n, best of a
few runs each (interleaved, so a burst of load hits both sizes), and report the ratio. Doubling
the input of linear work about doubles the time; quadratic work quadruples it.

The time is the process's CPU time, not the wall clock: other processes on a shared machine
(CI, other test runs) take turns on the cores but do not add to it. Work too quick to time well
is repeated until one measurement takes a few milliseconds. A ratio above the limit is measured
again before it counts: one slow moment is not a quadratic algorithm."""

from __future__ import annotations

import math
import time
from collections.abc import Callable

LIMIT = 3.0  # doubling the input may at most triple the time
RUNS = 3
ATTEMPTS = 4
MIN_SECONDS = 0.005  # below this, timer and scheduler noise would dominate


def _seconds(work: Callable[[], object], repeat: int) -> float:
    start = time.process_time()
    for _ in range(repeat):
        work()
    return time.process_time() - start


def growth(make: Callable[[int], Callable[[], object]], n: int) -> tuple[float, float, float]:
    """(seconds at n, seconds at 2n, ratio): the lowest ratio of a few attempts."""
    small, large = make(n), make(2 * n)
    small()  # warm caches (compiled regexes, imports) before anything is timed
    large()
    once = max(_seconds(small, 1), 1e-6)
    repeat = max(1, math.ceil(MIN_SECONDS / once))
    found: tuple[float, float, float] = (0.0, 0.0, float("inf"))
    for _ in range(ATTEMPTS):
        a = b = float("inf")
        for _ in range(RUNS):
            a = min(a, _seconds(small, repeat))
            b = min(b, _seconds(large, repeat))
        ratio = b / max(a, 1e-9)
        if ratio < found[2]:
            found = (a / repeat, b / repeat, ratio)
        if ratio <= LIMIT:
            break
    return found
