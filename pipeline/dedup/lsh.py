"""LSH banding and candidate pairs, as array operations; union-find for the clusters.

A band key is a 64-bit hash of one band's rows. Candidates are documents that share a (band, key) bucket:
the grouping is a sort, so it runs as numpy here and as a groupby on (band, key) in a dataframe engine
(`bucket_pairs` takes a table of whole buckets, the unit a shuffle on (band, key) hands to each partition).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import numpy as np

from pipeline.dedup.arrays import distinct
from pipeline.dedup.pool import bounded

MAX_COMPARED = 8  # members of a bucket a newcomer is compared with; identical copies cluster through the first
# Threads that band and bucket: numpy sorts and array arithmetic release the GIL, so bands are grouped side by
# side (measured: 16 bands of 500k documents in 0.55 s on two threads against 1.13 s on one).
THREADS = min(4, os.cpu_count() or 1)
_K = np.uint64(0x9E3779B97F4A7C15)
_M = np.uint64(0xBF58476D1CE4E5B9)


def band_keys(signatures: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """[n, bands] uint64 keys: each band's `rows` values mixed into one 64-bit hash (band index in the seed)."""
    n = signatures.shape[0]
    banded = signatures[:, : bands * rows].reshape(n, bands, rows)  # a view: widened one row at a time below
    keys = np.broadcast_to(np.arange(1, bands + 1, dtype=np.uint64) * _K, (n, bands)).copy()

    def mix(start: int) -> None:
        part, rows_of = keys[start : start + _KEY_CHUNK], banded[start : start + _KEY_CHUNK]
        for r in range(rows):
            part ^= rows_of[:, :, r].astype(np.uint64)  # [chunk, bands] at a time, not the matrix as uint64
            part *= _M
            part ^= part >> np.uint64(31)

    for _ in _threaded(mix, range(0, n, _KEY_CHUNK), THREADS):
        pass
    return keys


_KEY_CHUNK = 1 << 16  # documents whose band keys one thread mixes at a time
R = TypeVar("R")


def _threaded(work: Callable[[int], R], items: range, threads: int) -> Iterator[R]:
    """`work(item)` of every item as it completes, on `threads` threads with at most that many at once (`bounded`);
    in order on this thread when there is one thread or one item."""
    if threads <= 1 or len(items) <= 1:
        yield from map(work, items)
        return
    with ThreadPoolExecutor(threads) as pool:
        for _, result in bounded(pool, ((item, work, (item,)) for item in items), threads):
            yield result


def bucket_pairs(keys: np.ndarray, docs: np.ndarray) -> np.ndarray:
    """(earlier, later) pairs among documents with equal keys: each meets at most MAX_COMPARED earlier members.

    `keys` and `docs` list bucket memberships of one band (or of several, with the band mixed into the key);
    every bucket must be whole. Returns an [m, 2] int64 array.
    """
    if len(keys) < 2:
        return np.empty((0, 2), dtype=np.int64)
    order = np.lexsort((docs, keys))
    k, d = keys[order], docs[order].astype(np.int64)
    new_run = np.empty(len(k), dtype=bool)
    new_run[0] = True
    new_run[1:] = k[1:] != k[:-1]
    run_start = np.maximum.accumulate(np.where(new_run, np.arange(len(k)), 0))
    position = np.arange(len(k)) - run_start
    out = []
    for j in range(MAX_COMPARED):
        later = np.nonzero(position > j)[0]
        if not len(later):
            break
        out.append(np.stack((d[run_start[later] + j], d[later]), axis=1))
    return np.concatenate(out) if out else np.empty((0, 2), dtype=np.int64)


def candidate_pairs(keys: np.ndarray) -> np.ndarray:
    """Distinct (earlier, later) candidate pairs over all bands of an [n, bands] key matrix, sorted."""
    n, bands = keys.shape
    docs = np.arange(n, dtype=np.int64)

    def band_pairs(band: int) -> np.ndarray:
        return _pack(bucket_pairs(keys[:, band], docs), n)

    packed = np.empty(0, dtype=np.int64)
    pending: list[np.ndarray] = []
    # bands side by side on THREADS threads (one at a time for fewer than _KEY_CHUNK documents, where threads cost
    # more than they save); the union is the same in whatever order they come back
    for pairs in _threaded(band_pairs, range(bands), THREADS if n >= _KEY_CHUNK else 1):
        pending.append(pairs)
        # merged when the bands not yet merged outgrow the distinct pairs: memory holds about twice the
        # distinct pairs, not every band's copies, and each pair is sorted a few times, not once per band
        if sum(map(len, pending)) >= max(len(packed), 1 << 20):
            packed = distinct(np.concatenate((packed, *pending)))
            pending = []
    if pending:
        packed = distinct(np.concatenate((packed, *pending)))
    return _unpack(packed, n)


def distinct_pairs(pairs: np.ndarray, n: int) -> np.ndarray:
    """The distinct rows of an [m, 2] pair array over `n` documents, sorted."""
    return _unpack(distinct(_pack(pairs, n)), n)


def _pack(pairs: np.ndarray, n: int) -> np.ndarray:
    """Each (a, b) pair over `n` documents as one int64, a * n + b: sorting them sorts the pairs."""
    return pairs[:, 0] * n + pairs[:, 1]


def _unpack(packed: np.ndarray, n: int) -> np.ndarray:
    return np.stack((packed // n, packed % n), axis=1)


class UnionFind:
    """Union by smaller root: a cluster's root is its earliest member."""

    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, x: int) -> int:
        root = x
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[x] != root:
            self.parent[x], x = root, self.parent[x]
        return root

    def union(self, a: int, b: int) -> bool:
        """Join the two clusters; False when they were one already."""
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return False
        self.parent[max(ra, rb)] = min(ra, rb)
        return True

    def roots(self) -> np.ndarray:
        """Each member's root, by pointer jumping over the parents as an array (a parent is never larger)."""
        roots = np.asarray(self.parent, dtype=np.int64)
        while True:
            up = roots[roots]
            if np.array_equal(up, roots):
                return roots
            roots = up


def components(pairs: np.ndarray, n: int) -> np.ndarray:
    """Each of `n` documents' root when `pairs` are joined (its smallest connected document, as `UnionFind`
    makes it), as array operations: the smaller label spread across each pair, then labels of labels taken."""
    label = np.arange(n, dtype=np.int64)
    if not len(pairs):
        return label
    a, b = pairs[:, 0], pairs[:, 1]
    while True:
        smaller = np.minimum(label[a], label[b])
        spread = label.copy()
        np.minimum.at(spread, a, smaller)
        np.minimum.at(spread, b, smaller)
        spread = spread[spread]
        if np.array_equal(spread, label):
            return label
        label = spread
