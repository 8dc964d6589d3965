"""LSH banding, candidate verification and union-find clusters.

Band buckets are plain (band, hash of the band's rows) keys, so the grouping is a groupby that a dataframe
engine can run too; here one dict per band is enough for millions of documents on one machine.
"""

from __future__ import annotations

from collections.abc import Iterable

import xxhash


class UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, x: int) -> int:
        root = x
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[x] != root:
            self.parent[x], x = root, self.parent[x]
        return root

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


MAX_COMPARED = 8  # members of a bucket a newcomer is compared with; identical copies cluster through the first


def band_key(signature: bytes, band: int, rows: int) -> int:
    width = rows * 4
    return xxhash.xxh64_intdigest(signature[band * width : (band + 1) * width], seed=band)


def candidate_pairs(signatures: list[bytes], bands: int, rows: int) -> Iterable[tuple[int, int]]:
    """(earlier, later) documents sharing a band bucket; each newcomer meets at most MAX_COMPARED members."""
    seen: set[tuple[int, int]] = set()
    for band in range(bands):
        buckets: dict[int, list[int]] = {}
        for i, sig in enumerate(signatures):
            members = buckets.setdefault(band_key(sig, band, rows), [])
            for j in members:
                if (j, i) not in seen:
                    seen.add((j, i))
                    yield j, i
            if len(members) < MAX_COMPARED:
                members.append(i)
