"""Linear growth, measured: run a piece of work on an input of size n and of size 2n, best of a
few runs each (interleaved, so a burst of load hits both sizes), and report the ratio. Doubling
the input of linear work about doubles the time; quadratic work quadruples it. A ratio above
the limit is measured again before it counts, as one slow moment on a shared machine is not
a quadratic algorithm."""

from __future__ import annotations

import time
from collections.abc import Callable

LIMIT = 3.0  # doubling the input may at most triple the time
RUNS = 3
ATTEMPTS = 3


def _best(work: Callable[[], object], runs: int) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - start)
    return best


def growth(make: Callable[[int], Callable[[], object]], n: int) -> tuple[float, float, float]:
    """(seconds at n, seconds at 2n, ratio): the lowest ratio of a few attempts."""
    small, large = make(n), make(2 * n)
    small()  # warm caches (compiled regexes, imports) before anything is timed
    large()
    found: tuple[float, float, float] = (0.0, 0.0, float("inf"))
    for _ in range(ATTEMPTS):
        a = b = float("inf")
        for _ in range(RUNS):
            a = min(a, _best(small, 1))
            b = min(b, _best(large, 1))
        ratio = b / max(a, 1e-6)
        if ratio < found[2]:
            found = (a, b, ratio)
        if ratio <= LIMIT:
            break
    return found
