"""Duplicate clusters: exact (equal hashing views) and near (MinHash LSH, verified), joined by union-find.

Verification of a candidate pair: the title lines must agree (when both documents have one: see
`hashing.title_key`), and the
Jaccard of the shingle sets must reach the threshold. The MinHash estimate decides the clear cases (more
than `margin` above or below the threshold; at 128 permutations its standard error near 0.8 is 0.035);
only the pairs in between are checked exactly, on the hashing views fetched for just those documents.

The representative of a cluster is chosen deterministically -- a document of an already published corpus
first, then by the `keep` criteria (default: lowest source priority, then the most complete (longest) text,
then the earliest publisher date), then input order -- and names the cluster. Every document belongs to a
cluster; a singleton is its own.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from pipeline.dedup.lsh import UnionFind, band_keys, candidate_pairs
from pipeline.dedup.minhash import estimated_jaccard, exact_jaccard

_PAIR_CHUNK = 1 << 14  # pairs whose signature rows are compared at once: 16 MiB of rows, whatever the corpus
NO_DATE = np.iinfo(np.int64).max
KEEP_CRITERIA = ("priority", "longest", "earliest", "newest")
DEFAULT_KEEP = ("priority", "longest", "earliest")


@dataclass(frozen=True)
class NearSettings:
    bands: int
    rows: int
    threshold: float
    ngram: int
    margin: float = 0.1  # estimates this close to the threshold are checked exactly


@dataclass
class Candidates:
    """The documents to cluster, as aligned columns. `hash_keys` equal = exact duplicates."""

    ids: Sequence[str]
    hash_keys: Sequence[str]
    title_keys: Sequence[str | None]
    priority: np.ndarray  # lower wins
    n_chars: np.ndarray
    signatures: np.ndarray | None = None  # [n, num_perm] uint32
    published: np.ndarray | None = None  # True: already in a published corpus (always wins, never removed)
    dates: np.ndarray | None = None  # publisher date as int64 microseconds; NO_DATE when unknown

    def __len__(self) -> int:
        return len(self.ids)


@dataclass
class Clusters:
    representative: np.ndarray  # index of each document's representative
    size: np.ndarray
    exact: np.ndarray  # same hashing view as the representative
    candidate_pairs: int = 0
    checked_exactly: int = 0

    def is_representative(self, i: int) -> bool:
        return int(self.representative[i]) == i


def _title_codes(title_keys: Sequence[str | None]) -> np.ndarray:
    codes: dict[str, int] = {}
    return np.fromiter(
        (-1 if t is None else codes.setdefault(t, len(codes)) for t in title_keys),
        dtype=np.int64,
        count=len(title_keys),
    )


def _estimates(sigs: np.ndarray, pairs: np.ndarray) -> np.ndarray:
    out = np.empty(len(pairs))
    for s in range(0, len(pairs), _PAIR_CHUNK):
        p = pairs[s : s + _PAIR_CHUNK]
        out[s : s + len(p)] = estimated_jaccard(sigs[p[:, 0]], sigs[p[:, 1]])
    return out


def cluster(
    docs: Candidates,
    near: NearSettings | None = None,
    views: Callable[[list[int]], dict[int, str]] | None = None,
    keep: Sequence[str] = DEFAULT_KEEP,
    pairs_of: Callable[[np.ndarray], np.ndarray] = candidate_pairs,
) -> Clusters:
    """Cluster `docs`. `views(indices)` returns the hashing views exact verification compares; `pairs_of`
    turns the [n, bands] band keys into candidate pairs (on this machine, or on a cluster)."""
    n = len(docs)
    uf = UnionFind(n)
    first_with_key: dict[str, int] = {}
    for i, key in enumerate(docs.hash_keys):
        j = first_with_key.setdefault(key, i)
        if j != i:
            uf.union(j, i)
    n_pairs = checked = 0
    if near is not None and docs.signatures is not None and n > 1:
        pairs = pairs_of(band_keys(docs.signatures, near.bands, near.rows))
        roots = uf.roots()
        pairs = pairs[roots[pairs[:, 0]] != roots[pairs[:, 1]]]
        n_pairs = len(pairs)
        titles = _title_codes(docs.title_keys)
        ta, tb = titles[pairs[:, 0]], titles[pairs[:, 1]]
        title_ok = (ta < 0) | (tb < 0) | (ta == tb)
        est = _estimates(docs.signatures, pairs)
        sure = title_ok & (est >= near.threshold + near.margin)
        doubtful = title_ok & ~sure & (est >= near.threshold - near.margin)
        for a, b in pairs[sure].tolist():
            uf.union(a, b)
        unsure = [(a, b) for a, b in pairs[doubtful].tolist() if uf.find(a) != uf.find(b)]
        if unsure and views is not None:
            text = views(sorted({i for pair in unsure for i in pair}))
            for a, b in unsure:
                if uf.find(a) != uf.find(b):
                    checked += 1
                    if exact_jaccard(text[a], text[b], near.ngram) >= near.threshold:
                        uf.union(a, b)
    return _assign(docs, uf.roots(), n_pairs, checked, keep)


def _criterion(docs: Candidates, name: str) -> np.ndarray:
    """Sort key for one keep criterion: smaller wins."""
    dates = docs.dates if docs.dates is not None else np.full(len(docs), NO_DATE, dtype=np.int64)
    if name == "priority":
        return np.asarray(docs.priority, dtype=np.int64)
    if name == "longest":
        return -np.asarray(docs.n_chars, dtype=np.int64)
    if name == "earliest":
        return dates
    if name == "newest":
        return np.where(dates == NO_DATE, NO_DATE, -dates)
    raise ValueError(f"keep criterion {name!r}: expected one of {', '.join(KEEP_CRITERIA)}")


def _assign(docs: Candidates, roots: np.ndarray, n_pairs: int, checked: int, keep: Sequence[str]) -> Clusters:
    """Representative and size per document, from the union-find roots."""
    n = len(docs)
    published = docs.published if docs.published is not None else np.zeros(n, dtype=bool)
    criteria = [_criterion(docs, name) for name in keep]
    # lexsort: the last key is primary -> cluster, published first, the keep criteria in order, input order
    ranked = np.lexsort((np.arange(n), *reversed(criteria), ~published, roots))
    sorted_roots = roots[ranked]
    starts = np.ones(n, dtype=bool)
    starts[1:] = sorted_roots[1:] != sorted_roots[:-1]
    group_start = np.maximum.accumulate(np.where(starts, np.arange(n), 0))
    representative = np.empty(n, dtype=np.int64)
    representative[ranked] = ranked[group_start]
    _, inverse, counts = np.unique(roots, return_inverse=True, return_counts=True)
    size = counts[inverse]
    keys = np.asarray(docs.hash_keys, dtype=object)
    exact = keys == keys[representative]
    return Clusters(representative, size, exact, n_pairs, checked)


def concat(parts: Sequence[Candidates]) -> Candidates:
    """One candidate table from several (this run's documents first, then published matches)."""
    if len(parts) == 1:  # nothing to join: no copy of the signature matrix (512 MB at a million documents)
        return parts[0]
    n = sum(len(p) for p in parts)
    with_sigs = all(p.signatures is not None for p in parts)
    return Candidates(
        ids=[x for p in parts for x in p.ids],
        hash_keys=[x for p in parts for x in p.hash_keys],
        title_keys=[x for p in parts for x in p.title_keys],
        priority=np.concatenate([np.asarray(p.priority, dtype=np.int64) for p in parts]) if n else np.empty(0),
        n_chars=np.concatenate([np.asarray(p.n_chars, dtype=np.int64) for p in parts]) if n else np.empty(0),
        signatures=np.concatenate([p.signatures for p in parts if p.signatures is not None]) if with_sigs else None,
        published=np.concatenate(
            [p.published if p.published is not None else np.zeros(len(p), dtype=bool) for p in parts]
        )
        if n
        else np.empty(0, dtype=bool),
        dates=np.concatenate([p.dates if p.dates is not None else np.full(len(p), NO_DATE) for p in parts])
        if n
        else np.empty(0, dtype=np.int64),
    )
