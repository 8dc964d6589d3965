"""The content digest of a release: a hash of the values of its published rows, whatever their layout.

Each row is encoded canonically -- every column but `run_id` and `retrieved_at` (when a run happened and first
saw the bytes, not what they say), as compact JSON with keys sorted at every level, UTF-8, timestamps in ISO
8601 with their offset, null for null -- and hashed with SHA-256. The digest is the SHA-256 of those 32-byte row
hashes in ascending `id` order. So two runs that publish the same corpus have the same digest, whatever batches,
shards, partitions, thread timing or pyarrow version wrote it, and anyone can recompute it from the Parquet
files with a few lines of code (`twcorpus verify` does).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

import numpy as np
import orjson
import pyarrow as pa

SCHEME = "rows-sha256-by-id/1"  # named in the manifest; a release of another scheme is rebuilt, not kept
VOLATILE = ("run_id", "retrieved_at")
_OPTIONS = orjson.OPT_SORT_KEYS


def row_hashes(table: pa.Table) -> tuple[np.ndarray, np.ndarray]:
    """(ids, 32-byte row hashes) of a table of published rows, as numpy byte-string arrays."""
    cols = [c for c in table.column_names if c not in VOLATILE]
    ids: list[bytes] = []
    hashes: list[bytes] = []
    for batch in table.select(cols).to_batches(max_chunksize=4096):
        for row in batch.to_pylist():
            ids.append(row["id"].encode("utf-8"))
            hashes.append(hashlib.sha256(orjson.dumps(row, option=_OPTIONS)).digest())
    return np.array(ids, dtype=object), np.array(hashes, dtype="S32")


class Digest:
    """Row hashes gathered resource by resource; the hex digest over them in id order."""

    def __init__(self) -> None:
        self._ids: list[np.ndarray] = []
        self._hashes: list[np.ndarray] = []

    def add(self, ids: np.ndarray, hashes: np.ndarray) -> None:
        if len(ids):
            self._ids.append(ids)
            self._hashes.append(hashes)

    def add_table(self, table: pa.Table) -> None:
        self.add(*row_hashes(table))

    def hexdigest(self) -> str:
        return combine(
            np.concatenate(self._ids) if self._ids else np.array([], dtype=object),
            np.concatenate(self._hashes) if self._hashes else np.array([], dtype="S32"),
        )


def combine(ids: np.ndarray, hashes: np.ndarray) -> str:
    order = np.argsort(ids, kind="stable")
    return hashlib.sha256(hashes[order].tobytes()).hexdigest()


def content_digest(tables: Iterable[pa.Table]) -> str:
    """The digest of the rows of `tables` taken together."""
    digest = Digest()
    for table in tables:
        digest.add_table(table)
    return digest.hexdigest()
