"""Cutting a run's resources into batches: the unit a task fetches and extracts.

A task costs tens of milliseconds of orchestration, so a folder of 1,300 small law files must not be 1,300
tasks. But workers take batches from one queue, and when the last batches of a run are big, one worker
finishes its batch long after the other ran out of work (at a million documents in 64-file batches: ~45 s of
a core idle at the end). So batches are measured in bytes where the bytes are known before fetching (files
read from disk) and shrink as a dataset's remaining bytes do ("guided" scheduling): each takes a
1/`spread` share of what is left, never less than `min_bytes`, never more than `max_resources` files. A
dataset's last batches are then small, and every worker finishes at about the same time.

Downloads have no size until fetched: their datasets are cut by count, into at least `spread` batches.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from pipeline.fetch import FetchError, is_remote, local_path
from pipeline.sources import Resource

MIN_BYTES = 2 << 20  # ~1-4 s of extraction: below this a batch's orchestration would start to show


def local_size(resource: Resource) -> int | None:
    """Bytes of a resource read from disk; None for a download (or a file that is not there)."""
    if is_remote(resource.fetch_url):
        return None
    try:
        return local_path(resource.fetch_url).stat().st_size
    except (OSError, FetchError):
        return None


def _by_dataset(resources: list[Resource]) -> list[list[Resource]]:
    """Runs of consecutive resources of one dataset (a batch never mixes datasets)."""
    groups: list[list[Resource]] = []
    for r in resources:
        last = groups[-1] if groups else None
        if last is not None and (last[0].source_index, last[0].dataset.id) == (r.source_index, r.dataset.id):
            last.append(r)
        else:
            groups.append([r])
    return groups


def _by_count(group: list[Resource], max_resources: int, spread: int) -> list[list[Resource]]:
    size = max(1, min(max_resources, math.ceil(len(group) / spread)))
    return [group[i : i + size] for i in range(0, len(group), size)]


def _guided(
    group: list[Resource], sizes: list[int], max_resources: int, spread: int, min_bytes: int
) -> list[list[Resource]]:
    batches: list[list[Resource]] = []
    remaining = sum(sizes)
    start = 0
    while start < len(group):
        target = max(min_bytes, remaining / spread)
        end, weight = start + 1, sizes[start]  # at least one file, however big
        while end < len(group) and end - start < max_resources and weight + sizes[end] <= target:
            weight += sizes[end]
            end += 1
        batches.append(group[start:end])
        remaining -= weight
        start = end
    return batches


def plan_batches(
    resources: list[Resource],
    max_resources: int = 64,
    spread: int = 1,
    min_bytes: int = MIN_BYTES,
    size_of: Callable[[Resource], int | None] = local_size,
) -> list[list[Resource]]:
    """Consecutive resources of one dataset, in order; `spread` is 2 x the processes extracting at once."""
    batches: list[list[Resource]] = []
    for group in _by_dataset(resources):
        sizes = [size_of(r) for r in group]
        if any(s is None for s in sizes):
            batches.extend(_by_count(group, max_resources, spread))
        else:
            batches.extend(_guided(group, [s or 0 for s in sizes], max_resources, spread, min_bytes))
    return batches
