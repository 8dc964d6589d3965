"""The dedup index of a published corpus: what a later run needs to avoid re-publishing its documents.

Written into every release (`<output_dir>/dedup-index/`) and read, memory-mapped, by runs that name that
release in `dedup.against`. Nothing is re-hashed: a later run compares its own band keys and exact keys with
sorted arrays on disk (binary search touches a few pages per lookup) and loads the signatures
of only the published documents it shares a bucket with. Memory stays flat as the published corpus grows;
disk per million documents at 128 permutations and 16 bands: band table 192 MB (16 x 12 bytes per
document), exact table 12 MB, document table ~600 MB (512-byte signature, ids, keys).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.atomic import atomic_write_bytes
from pipeline.dedup.arrays import distinct
from pipeline.dedup.cluster import Candidates
from pipeline.dedup.lsh import band_keys
from pipeline.dedup.minhash import SCHEME, SHINGLE_HASH, as_matrix

FOLDER = "dedup-index"
FORMAT = 1
_DOCS = "docs.arrow"
_BAND_KEYS, _BAND_DOCS = "band_keys.npy", "band_docs.npy"
_EXACT_KEYS, _EXACT_DOCS = "exact_keys.npy", "exact_docs.npy"
_BOILERPLATE = "boilerplate.npy"  # keys of the lines its hashing views left out (dedup/boilerplate.py)


class DedupIndexError(ValueError):
    """A dedup index that is missing, damaged or built with other MinHash settings."""


def settings_of(num_perm: int, ngram: int, seed: int, bands: int, rows: int) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "scheme": SCHEME,
        "shingle_hash": SHINGLE_HASH,
        "num_perm": num_perm,
        "ngram": ngram,
        "seed": seed,
        "bands": bands,
        "rows": rows,
    }


def exact_prefix(hash_keys: Iterable[str]) -> np.ndarray:
    """First 64 bits of each exact key (hex), the sortable part; full keys are compared after a hit."""
    return np.fromiter((int(k[:16], 16) for k in hash_keys), dtype=np.uint64)


def _doc_schema(num_perm: int) -> pa.Schema:
    return pa.schema(
        [
            pa.field("id", pa.string()),
            pa.field("hash_key", pa.string()),
            pa.field("n_chars", pa.int64()),
            pa.field("row", pa.int64()),  # position in the release's data shards, in order
            pa.field("signature", pa.binary(num_perm * 4)),
            pa.field("view_len", pa.int64()),  # characters of the hashing view dedup compared
        ]
    )


class IndexWriter:
    """Collects published documents in publication order; `close` sorts the key tables and writes them."""

    def __init__(self, folder: Path, settings: dict[str, Any]) -> None:
        self.folder, self.settings = folder, settings
        folder.mkdir(parents=True, exist_ok=True)
        self.schema = _doc_schema(settings["num_perm"])
        self._sink = pa.OSFile(str(folder / _DOCS), "wb")
        self._writer = pa.ipc.new_file(self._sink, self.schema)
        self._band_keys: list[np.ndarray] = []
        self._band_docs: list[np.ndarray] = []
        self._exact: list[np.ndarray] = []
        self.boilerplate = np.empty(0, dtype=np.uint64)  # line keys left out of the hashing views (set by publish)
        self.rows = 0

    def add(
        self,
        ids: list[str],
        hash_keys: list[str],
        n_chars: list[int],
        signatures: list[bytes | None],
        view_len: list[int] | None = None,
    ) -> None:
        n = len(ids)
        if not n:
            return
        sigs = as_matrix(signatures, self.settings["num_perm"])
        rows = np.arange(self.rows, self.rows + n, dtype=np.int64)
        lengths = view_len if view_len is not None else n_chars
        table = pa.table(
            [ids, hash_keys, n_chars, rows, [s.astype("<u4").tobytes() for s in sigs], lengths],
            schema=self.schema,
        )
        self._writer.write_table(table)
        signed = np.fromiter((bool(b) for b in signatures), dtype=bool, count=n)  # unsigned: exact matches only
        keys = band_keys(sigs[signed], self.settings["bands"], self.settings["rows"])
        self._band_keys.append(keys.ravel())
        self._band_docs.append(np.repeat(rows[signed].astype(np.uint32), self.settings["bands"]))
        self._exact.append(exact_prefix(hash_keys))
        self.rows += n

    def close(self) -> None:
        self._writer.close()
        self._sink.close()
        keys = np.concatenate(self._band_keys) if self._band_keys else np.empty(0, np.uint64)
        docs = np.concatenate(self._band_docs) if self._band_docs else np.empty(0, np.uint32)
        _save_sorted(self.folder, _BAND_KEYS, _BAND_DOCS, keys, docs)
        exact = np.concatenate(self._exact) if self._exact else np.empty(0, np.uint64)
        _save_sorted(self.folder, _EXACT_KEYS, _EXACT_DOCS, exact, np.arange(self.rows, dtype=np.uint32))
        np.save(self.folder / _BOILERPLATE, np.sort(self.boilerplate).astype(np.uint64))
        meta = {**self.settings, "documents": self.rows}
        atomic_write_bytes(self.folder / "meta.json", json.dumps(meta, indent=1).encode("utf-8"))


def _save_sorted(folder: Path, key_name: str, doc_name: str, keys: np.ndarray, docs: np.ndarray) -> None:
    order = np.argsort(keys, kind="stable")
    np.save(folder / key_name, keys[order])
    np.save(folder / doc_name, docs[order])


def _lookup(sorted_keys: np.ndarray, docs: np.ndarray, queries: np.ndarray) -> np.ndarray:
    """Documents whose key equals any query key (binary search on the memory-mapped sorted keys)."""
    if not len(sorted_keys) or not len(queries):
        return np.empty(0, dtype=np.int64)
    q = distinct(np.asarray(queries))
    lo = np.searchsorted(sorted_keys, q, side="left")
    hi = np.searchsorted(sorted_keys, q, side="right")
    hit = hi > lo
    if not hit.any():
        return np.empty(0, dtype=np.int64)
    spans = [np.asarray(docs[a:b]) for a, b in zip(lo[hit].tolist(), hi[hit].tolist(), strict=True)]
    return distinct(np.concatenate(spans).astype(np.int64))


def document_keys(release: Path) -> dict[str, str]:
    """Document id -> dedup key of every document a release published; {} when it has no index."""
    path = release / FOLDER / _DOCS
    if not path.exists():
        return {}
    table = pa.ipc.open_file(pa.memory_map(str(path), "r")).read_all().select(["id", "hash_key"])
    return dict(zip(table["id"].to_pylist(), table["hash_key"].to_pylist(), strict=True))


@dataclass
class PublishedMatches:
    """Published documents sharing a bucket or an exact key with this run's documents."""

    index: PublishedIndex
    numbers: np.ndarray  # document numbers in the index
    columns: dict[str, list[Any]]

    def candidates(self, priority: int) -> Candidates:
        n = len(self.numbers)
        lengths = self.columns.get("view_len") or self.columns["n_chars"]  # older indexes: the text's length
        return Candidates(
            ids=self.columns["id"],
            hash_keys=self.columns["hash_key"],
            priority=np.full(n, priority, dtype=np.int64),
            n_chars=np.asarray(self.columns["n_chars"], dtype=np.int64),
            signatures=as_matrix(self.columns["signature"], self.index.settings["num_perm"]),
            published=np.ones(n, dtype=bool),
            view_len=np.asarray(
                [v if v is not None else c for v, c in zip(lengths, self.columns["n_chars"], strict=True)],
                dtype=np.int64,
            ),
        )

    def texts(self, positions: list[int]) -> dict[int, str]:
        """Text of the matched documents at `positions` (indices into `numbers`), from the shards."""
        rows = {p: int(self.columns["row"][p]) for p in positions}
        texts = self.index.texts(sorted(set(rows.values())))
        return {p: texts[r] for p, r in rows.items()}


class PublishedIndex:
    """Read side of a release's dedup index (memory-mapped)."""

    def __init__(self, release: Path) -> None:
        self.release = release
        self.folder = release / FOLDER
        meta_path = self.folder / "meta.json"
        if not meta_path.exists():
            raise DedupIndexError(f"{release}: no dedup index ({FOLDER}/meta.json); was it published by twcorpus?")
        self.settings = json.loads(meta_path.read_text(encoding="utf-8"))
        self.documents = int(self.settings["documents"])
        self._band_keys = np.load(self.folder / _BAND_KEYS, mmap_mode="r")
        self._band_docs = np.load(self.folder / _BAND_DOCS, mmap_mode="r")
        self._exact_keys = np.load(self.folder / _EXACT_KEYS, mmap_mode="r")
        self._exact_docs = np.load(self.folder / _EXACT_DOCS, mmap_mode="r")
        self._reader = pa.ipc.open_file(pa.memory_map(str(self.folder / _DOCS), "r"))
        sizes = [self._reader.get_batch(i).num_rows for i in range(self._reader.num_record_batches)]
        self._batch_starts = np.concatenate(([0], np.cumsum(sizes, dtype=np.int64)))

    def boilerplate(self) -> np.ndarray:
        """Keys of the lines this release's hashing views left out (none for releases made before)."""
        path = self.folder / _BOILERPLATE
        return np.load(path).astype(np.uint64) if path.exists() else np.empty(0, dtype=np.uint64)

    def check(self, expected: dict[str, Any]) -> None:
        differ = {k: (self.settings.get(k), v) for k, v in expected.items() if self.settings.get(k) != v}
        if differ:
            detail = ", ".join(f"{k} {got!r} (this run: {want!r})" for k, (got, want) in sorted(differ.items()))
            raise DedupIndexError(f"{self.folder}: built with other MinHash settings: {detail}")

    def digest(self) -> str:
        """What a release built against this index depends on: its manifest's content hash and size."""
        manifest = json.loads((self.release / "manifest.json").read_text(encoding="utf-8"))
        return f"{manifest.get('content_sha256')}:{self.documents}"

    def match(self, band_key_matrix: np.ndarray, hash_keys: list[str], exclude_ids: set[str]) -> PublishedMatches:
        return self.matches(self.lookup(band_key_matrix, hash_keys), exclude_ids)

    def lookup(self, band_key_matrix: np.ndarray, hash_keys: list[str]) -> np.ndarray:
        """Numbers of the published documents sharing a band key or an exact key with these documents."""
        near = _lookup(self._band_keys, self._band_docs, band_key_matrix.ravel())
        exact = _lookup(self._exact_keys, self._exact_docs, exact_prefix(hash_keys))
        return np.union1d(near, exact)

    def matches(self, numbers: np.ndarray, exclude_ids: set[str]) -> PublishedMatches:
        """The published documents at these numbers (sorted), but those of `exclude_ids`."""
        columns = self.rows(numbers)
        keep = [i for i, doc_id in enumerate(columns["id"]) if doc_id not in exclude_ids]
        if len(keep) != len(numbers):
            numbers = numbers[keep]
            columns = {k: [v[i] for i in keep] for k, v in columns.items()}
        return PublishedMatches(self, numbers, columns)

    def rows(self, numbers: np.ndarray) -> dict[str, list[Any]]:
        """Document-table rows by number (sorted), taken batch by batch from the memory map.

        A `take` on the whole table would first concatenate its batches: a copy of the entire index in memory.
        """
        out: dict[str, list[Any]] = {name: [] for name in self._reader.schema.names}
        which = np.searchsorted(self._batch_starts, numbers, side="right") - 1
        for batch_index in np.unique(which).tolist():
            offsets = numbers[which == batch_index] - self._batch_starts[batch_index]
            part = self._reader.get_batch(batch_index).take(pa.array(offsets, pa.int64())).to_pydict()
            for name, values in part.items():
                out[name].extend(values)
        return out

    def texts(self, rows: list[int]) -> dict[int, str]:
        """Text of the documents at these global rows of the release's data shards."""
        manifest = json.loads((self.release / "manifest.json").read_text(encoding="utf-8"))
        out: dict[int, str] = {}
        start = 0
        wanted = sorted(rows)
        for shard in manifest["shards"]:
            end = start + shard["rows"]
            inside = [r for r in wanted if start <= r < end]
            if inside:
                column = pq.read_table(self.release / shard["path"], columns=["text"])["text"]
                out.update({r: column[r - start].as_py() for r in inside})
            start = end
        return out
