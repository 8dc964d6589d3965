"""Set operations on 64-bit key arrays.

numpy 2.4's `np.unique` without return arguments takes a hash-table path that is 8x slower than sorting on a
thousand shingle hashes and 60x slower on two million packed pairs (measured); the dedup stage calls it on
every shingle set and band, so it sorts instead.
"""

from __future__ import annotations

import numpy as np


def distinct(values: np.ndarray) -> np.ndarray:
    """The distinct values of a 1-d array, sorted (what `np.unique(values)` returns)."""
    ordered = np.sort(values)
    if len(ordered) < 2:
        return ordered
    first = np.empty(len(ordered), dtype=bool)
    first[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=first[1:])
    return ordered[first]


MEMBER_CHUNK = 1 << 20


def member(values: np.ndarray, few: np.ndarray) -> np.ndarray:
    """`np.isin(values, few)` for a small set `few` and a large `values` (every document's edge-line keys):
    binary search a chunk at a time, where `np.isin` sorts a copy of all of `values` with its argsort (about
    1.2 GB at a million documents)."""
    keys = distinct(np.asarray(few, dtype=values.dtype))
    out = np.zeros(len(values), dtype=bool)
    if not len(keys):
        return out
    for start in range(0, len(values), MEMBER_CHUNK):
        part = values[start : start + MEMBER_CHUNK]
        at = np.minimum(np.searchsorted(keys, part), len(keys) - 1)
        out[start : start + MEMBER_CHUNK] = keys[at] == part
    return out
