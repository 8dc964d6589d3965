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
from pipeline.normalize.hashing import hashing_view


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


TITLE_MAX = 60  # a first line this short is a title (law name, notice heading)


def heading(text: str) -> str | None:
    """The document's title line, when its first line looks like one."""
    first = next((ln.strip() for ln in text.split("\n") if ln.strip()), "")
    return first if 0 < len(first) <= TITLE_MAX else None


@dataclass(frozen=True)
class View:
    """What verification compares: the hashing view of the text and of its title line (if any)."""

    text: str
    title: str | None


def view_of(text: str) -> View:
    title = heading(text)
    return View(hashing_view(text), hashing_view(title) if title else None)


def same_document(a: View, b: View, settings: NearSettings) -> bool:
    """Verified near-duplicate: titles agree (when both have one) and the texts' Jaccard reaches the threshold.

    Different titles mark different documents even when the bodies are templated alike: a budget act of
    one year and of the next, the organisation acts of two science parks (Jaccard 0.83-0.96, measured on
    the MOJ laws), a law and its 施行細則.
    """
    if a.title is not None and b.title is not None and a.title != b.title:
        return False
    return exact_jaccard(a.text, b.text, settings.ngram) >= settings.threshold


def cluster(
    candidates: Sequence[Candidate],
    near: NearSettings | None = None,
    views: Callable[[list[int]], dict[int, View]] | None = None,
) -> list[Membership]:
    """Memberships aligned with `candidates`. `views(indices)` returns what near verification compares."""
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
            if uf.find(a) != uf.find(b) and same_document(text[a], text[b], near):
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
