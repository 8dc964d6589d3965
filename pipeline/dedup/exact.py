"""Exact duplicates: documents whose hashing views are equal form one cluster.

The representative is chosen deterministically -- lowest source priority, then first in publication order --
and names the cluster (`dup_cluster` is the representative's id). Every document belongs to a cluster;
a singleton is its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Candidate:
    doc_id: str
    hash_key: str
    priority: int
    order: int  # position in publication order


@dataclass(frozen=True, slots=True)
class Membership:
    cluster: str  # id of the representative
    size: int
    is_representative: bool


def exact_clusters(candidates: Sequence[Candidate]) -> list[Membership]:
    """Memberships aligned with `candidates`."""
    best: dict[str, Candidate] = {}
    sizes: dict[str, int] = {}
    for c in candidates:
        sizes[c.hash_key] = sizes.get(c.hash_key, 0) + 1
        cur = best.get(c.hash_key)
        if cur is None or (c.priority, c.order) < (cur.priority, cur.order):
            best[c.hash_key] = c
    out: list[Membership] = []
    for c in candidates:
        rep = best[c.hash_key]
        out.append(Membership(rep.doc_id, sizes[c.hash_key], rep is c))
    return out
