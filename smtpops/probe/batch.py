"""Run several connection tests at once (``smtpops test --env``), reporting each as it ends."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")
# Tests wait on the network, not the CPU: a silent server holds its thread for wait_timeout.
# At most 4 at a time made 8 silent servers cost two waits; 32 at once lets an environment
# of 32 configs end within its slowest test. ``smtpops test --jobs N`` / SMTPOPS_JOBS sets it.
WORKERS = 32
MAX_WORKERS = 256


def run_all(
    jobs: Sequence[Callable[[], T]],
    *,
    on_done: Callable[[int, T], None] | None = None,
    workers: int = WORKERS,
) -> list[T]:
    """Results in the order of ``jobs``; ``on_done(index, result)`` is called in the calling
    thread as each finishes (for a progress display)."""
    # lazy(start-up): concurrent.futures (and logging with it) only when several tests run
    from concurrent.futures import ThreadPoolExecutor, as_completed

    results: dict[int, T] = {}
    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(jobs) or 1))) as pool:
        futures = {pool.submit(job): i for i, job in enumerate(jobs)}
        for future in as_completed(futures):
            index = futures[future]
            results[index] = future.result()
            if on_done is not None:
                on_done(index, results[index])
    return [results[i] for i in range(len(jobs))]
