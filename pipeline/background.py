"""Overlapping I/O-bound Arrow work with the Python work of publishing, in threads.

Reading a zstd Arrow file and encoding and compressing Parquet run in Arrow's C++ with the GIL released, so
while one thread splits, hashes and indexes a resource, another can read the next one and a third write the
previous one's shards. Order is kept (one thread each), and so is the memory bound (a fixed number of
items in flight); an exception in the background is raised in the caller, at the next hand-over.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")


def prefetched(read: Callable[[T], R], items: Iterable[T], ahead: int = 1) -> Iterator[R]:
    """read(item) for every item, in order, with up to `ahead` of the following items read meanwhile."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="prefetch") as pool:
        pending: deque[Future[R]] = deque()
        for item in items:
            pending.append(pool.submit(read, item))
            if len(pending) > ahead:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


class Sequential:
    """Calls run one after another on one background thread, at most `depth` waiting; use as a context
    manager, `drain()` before reading what the calls produced."""

    def __init__(self, depth: int = 2, name: str = "background") -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)
        self._pending: deque[Future[Any]] = deque()
        self.depth = depth

    def submit(self, fn: Callable[..., Any], *args: Any) -> None:
        self._pending.append(self._pool.submit(fn, *args))
        while len(self._pending) > self.depth:
            self._pending.popleft().result()

    def drain(self) -> None:
        """Wait for every call; the first that failed raises here."""
        while self._pending:
            self._pending.popleft().result()

    def close(self) -> None:
        for f in self._pending:
            f.cancel()
        self._pool.shutdown(wait=True)
        self._pending.clear()

    def __enter__(self) -> Sequential:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
