"""Duplicate clusters: exact (equal hashing views) and near (MinHash LSH, verified), joined by union-find.

The representative of a cluster is chosen deterministically -- lowest source priority, then the most complete
(longest) text, then the earliest in publication order -- and names the cluster: `dup_cluster` is its id.
Every document belongs to a cluster; a singleton is its own.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from pipeline.dedup.lsh import UnionFind, candidate_pairs
from pipeline.dedup.minhash import exact_jaccard


@dataclass(frozen=True, slots=True)
class Candidate:
    doc_id: str
    hash_key: str
    priority: int
    order: int  # position in publication order
    n_chars: int = 0
    signature: bytes | None = None


@dataclass(frozen=True, slots=True)
class Membership:
    cluster: str  # id of the representative
    size: int
    is_representative: bool
    exact: bool  # same hashing view as the representative


@dataclass(frozen=True)
class NearSettings:
    bands: int
    rows: int
    threshold: float
    ngram: int


def _rank(c: Candidate) -> tuple[int, int, int]:
    return (c.priority, -c.n_chars, c.order)


def cluster(
    candidates: Sequence[Candidate],
    near: NearSettings | None = None,
    views: Callable[[list[int]], dict[int, str]] | None = None,
) -> list[Membership]:
    """Memberships aligned with `candidates`. `views(indices)` returns hashing views for near verification."""
    uf = UnionFind(len(candidates))
    first_with_key: dict[str, int] = {}
    for i, c in enumerate(candidates):
        j = first_with_key.setdefault(c.hash_key, i)
        if j != i:
            uf.union(j, i)
    if near is not None and views is not None:
        sigs = [c.signature or b"" for c in candidates]
        pairs = [(a, b) for a, b in candidate_pairs(sigs, near.bands, near.rows) if uf.find(a) != uf.find(b)]
        needed = sorted({i for pair in pairs for i in pair})
        text = views(needed) if needed else {}
        for a, b in pairs:
            if uf.find(a) != uf.find(b) and exact_jaccard(text[a], text[b], near.ngram) >= near.threshold:
                uf.union(a, b)
    groups: dict[int, list[int]] = {}
    for i in range(len(candidates)):
        groups.setdefault(uf.find(i), []).append(i)
    out: list[Membership | None] = [None] * len(candidates)
    for members in groups.values():
        rep = min(members, key=lambda i: _rank(candidates[i]))
        for i in members:
            out[i] = Membership(
                candidates[rep].doc_id, len(members), i == rep, candidates[i].hash_key == candidates[rep].hash_key
            )
    return [m for m in out if m is not None]
