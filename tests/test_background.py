"""The background helpers publishing overlaps its reads and writes with: order, bounds, errors."""

import threading
import time

import pytest

from pipeline.background import Sequential, prefetched


def test_prefetched_keeps_order_and_reads_at_most_one_ahead():
    started: list[int] = []
    consumed: list[int] = []
    ahead_seen: list[int] = []

    def read(i: int) -> int:
        started.append(i)
        ahead_seen.append(len(started) - len(consumed))
        time.sleep(0.002)
        return i * i

    for value in prefetched(read, range(20)):
        consumed.append(value)
        time.sleep(0.004)  # the consumer is the slow side: the reader waits for it
    assert consumed == [i * i for i in range(20)]
    assert max(ahead_seen) <= 2  # the item being handed over and one read ahead


def test_a_failed_read_raises_in_the_consumer_at_its_item():
    def read(i: int) -> int:
        if i == 3:
            raise OSError(f"cannot read item {i}")
        return i

    got = []
    with pytest.raises(OSError, match="cannot read item 3"):
        for value in prefetched(read, range(6)):
            got.append(value)
    assert got == [0, 1, 2]


def test_sequential_runs_in_order_on_one_thread_with_a_bounded_queue():
    done: list[int] = []
    threads: set[int] = set()
    gate = threading.Event()

    def work(i: int) -> None:
        gate.wait()
        threads.add(threading.get_ident())
        done.append(i)

    with Sequential(depth=2) as background:
        releaser = threading.Timer(0.2, gate.set)
        releaser.start()
        t0 = time.perf_counter()
        for i in range(3):  # the third submit exceeds depth 2: it waits until the gate opens
            background.submit(work, i)
        waited = time.perf_counter() - t0
        for i in range(3, 10):
            background.submit(work, i)
        background.drain()
    assert done == list(range(10))
    assert len(threads) == 1 and threading.get_ident() not in threads
    assert waited >= 0.15  # submit blocked instead of queueing without bound


def test_sequential_raises_a_background_failure_at_drain():
    def fail() -> None:
        raise OSError(28, "No space left on device")

    with Sequential() as background:
        background.submit(fail)
        with pytest.raises(OSError, match="No space left"):
            background.drain()
