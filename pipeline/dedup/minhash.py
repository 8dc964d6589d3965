"""MinHash signatures over character n-gram shingles of the hashing view (datasketch, xxhash base hash).

Chinese has no spaces, so shingles are characters, not words (word shingles need jieba, the slowest step).
Scheme, n-gram size and permutations are recorded with the corpus: datasketch 2.x changed hash values.
"""

from __future__ import annotations

import numpy as np
import xxhash
from datasketch import MinHash

SCHEME = "affine32"


def _xxh32(data: bytes) -> int:
    return xxhash.xxh32_intdigest(data)


def shingles(view: str, n: int) -> list[bytes]:
    """Character n-grams; a text shorter than n is one shingle (never an empty set)."""
    if len(view) <= n:
        return [view.encode("utf-8")]
    return [view[i : i + n].encode("utf-8") for i in range(len(view) - n + 1)]


def signatures(views: list[str], *, num_perm: int, ngram: int, seed: int = 1) -> list[bytes]:
    """One signature per view, as num_perm little-endian uint32 values (num_perm * 4 bytes)."""
    if not views:
        return []
    sets = [shingles(v, ngram) for v in views]
    hashes = MinHash.bulk(sets, num_perm=num_perm, seed=seed, hashfunc=_xxh32, scheme=SCHEME)
    return [np.asarray(m.hashvalues, dtype="<u4").tobytes() for m in hashes]


def as_array(signature: bytes) -> np.ndarray:
    return np.frombuffer(signature, dtype="<u4")


def estimated_jaccard(a: bytes, b: bytes) -> float:
    x, y = as_array(a), as_array(b)
    return float(np.count_nonzero(x == y)) / len(x)


def exact_jaccard(a: str, b: str, ngram: int) -> float:
    sa, sb = set(shingles(a, ngram)), set(shingles(b, ngram))
    return len(sa & sb) / len(sa | sb) if sa or sb else 1.0


def s_curve(bands: int, rows: int, points: int = 21) -> list[tuple[float, float]]:
    """P(candidate) = 1 - (1 - s^rows)^bands at similarities 0, 0.05, ..., 1."""
    return [(s, 1 - (1 - s**rows) ** bands) for s in (i / (points - 1) for i in range(points))]
