"""Run several connection tests at once (``smtpops test --env``), reporting each as it ends."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from typing import TypeVar

T = TypeVar("T")
WORKERS = 4


def run_all(
    jobs: Sequence[Callable[[], T]],
    *,
    on_done: Callable[[int, T], None] | None = None,
    workers: int = WORKERS,
) -> list[T]:
    """Results in the order of ``jobs``; ``on_done(index, result)`` is called in the calling
    thread as each finishes (for a progress display)."""
    results: dict[int, T] = {}
    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(jobs) or 1))) as pool:
        futures = {pool.submit(job): i for i, job in enumerate(jobs)}
        for future in as_completed(futures):
            index = futures[future]
            results[index] = future.result()
            if on_done is not None:
                on_done(index, results[index])
    return [results[i] for i in range(len(jobs))]
