"""Wall and CPU time per stage of a run, over this process and its worker processes.

A stage's CPU seconds over its wall seconds says how many cores it kept busy: the figure that shows whether
extraction really ran on every core and how much of a run is orchestration rather than work.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

import psutil


def tree_cpu_seconds() -> float:
    """User + system CPU of this process, its finished children and its live descendants (worker processes)."""
    me = psutil.Process()
    own = me.cpu_times()
    total = own.user + own.system + own.children_user + own.children_system
    for child in me.children(recursive=True):
        try:
            t = child.cpu_times()
        except psutil.Error:  # ended between listing and asking: counted once its parent reaps it
            continue
        total += t.user + t.system
    return total


class StageClock:
    """Collects wall and CPU seconds per named stage."""

    def __init__(self) -> None:
        self.wall: dict[str, float] = {}
        self.cpu: dict[str, float] = {}

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        wall, cpu = time.perf_counter(), tree_cpu_seconds()
        try:
            yield
        finally:
            self.wall[name] = round(time.perf_counter() - wall, 3)
            self.cpu[name] = round(tree_cpu_seconds() - cpu, 3)
