"""Jobs sent to workers a few at a time (verification, counting, LSH bands): memory holds the jobs in flight,
not all of them, and a job is made only when there is room for it -- so it may depend on the results
already taken (verification leaves out pairs joined meanwhile)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Executor, Future, wait
from itertools import islice
from typing import Any, TypeVar

K = TypeVar("K")
R = TypeVar("R")


def bounded(
    pool: Executor, jobs: Iterator[tuple[K, Callable[..., R], tuple[Any, ...]]], in_flight: int
) -> Iterator[tuple[K, R]]:
    """(key, result) of each (key, function, arguments) job as it completes, at most `in_flight` submitted at
    once; jobs completing together come back in key order."""
    pending: dict[Future[R], K] = {}

    def submit(count: int) -> None:
        for key, function, args in islice(jobs, count):
            pending[pool.submit(function, *args)] = key

    submit(in_flight)
    while pending:
        done, _ = wait(pending, return_when=FIRST_COMPLETED)
        for future in sorted(done, key=lambda f: pending[f]):  # keys must order (chunk starts, pair lists)
            yield pending.pop(future), future.result()
        submit(len(done))
