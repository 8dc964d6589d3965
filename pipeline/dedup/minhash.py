"""MinHash signatures over character n-gram shingles of the hashing view, computed for many documents at once.

Chinese has no spaces, so shingles are characters, not words (word shingles need jieba, the slowest step).
The permutations are datasketch's (`MinHash(..., scheme="affine32").permutations`: h -> a*h + b mod 2^32 after
the MurmurHash3 finalizer), so a signature here equals `datasketch.MinHash` fed the same shingle hashes
(tested). What is ours is the speed: a shingle is hashed with a polynomial over its code points, and hashing,
permuting and taking minima run in one compiled loop over many documents (`signing`, which alone imports
numba) -- ~70k documents of 1k characters per second on one core, against ~1k/s for one Python hash call per
shingle.
Scheme, n-gram size, seed and permutations are recorded with the corpus: changing any changes every value.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

import numpy as np

from pipeline.dedup.arrays import distinct

SCHEME = "affine32"
SHINGLE_HASH = "poly64-fold32"  # recorded with the corpus: how shingles become datasketch's input hashes

POLY = np.uint64(0x100000001B3)  # odd multiplier of the shingle polynomial (FNV-1a 64 prime)
_MASK64 = (1 << 64) - 1
TRANSFER = "utf-16-le"  # how texts and views travel to worker processes (verification)


def _codepoints(view: str) -> np.ndarray:
    return np.frombuffer(view.encode("utf-32-le"), dtype="<u4").astype(np.uint64)


def shingle_hashes(view: str, n: int) -> np.ndarray:
    """64-bit hashes of the view's character n-grams, in order (a view of n or fewer characters is one shingle)."""
    cp = _codepoints(view)
    if len(cp) <= n:
        h = 0
        for c in cp.tolist():
            h = (h * int(POLY) + c) & _MASK64
        return np.array([h], dtype=np.uint64)
    m = len(cp) - n + 1
    h = cp[:m].copy()
    for k in range(1, n):
        h *= POLY
        h += cp[k : k + m]
    return h


def shingle_hash(shingle: str) -> int:
    """One shingle's 32-bit input hash, the scalar twin of the compiled loop (a datasketch `hashfunc`)."""
    h = 0
    for ch in shingle:
        h = (h * int(POLY) + ord(ch)) & _MASK64
    return (h ^ (h >> 32)) & 0xFFFFFFFF


@cache
def permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """datasketch's affine32 permutation parameters (a, b) as uint32 column vectors: odd `a` and any `b`, drawn
    from `RandomState(seed)` in datasketch's order (`MinHash._init_permutations`; equality tested). Drawn here
    rather than by importing datasketch, whose import (scipy) costs a second in every process that signs."""
    gen = np.random.RandomState(seed)
    a = gen.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    return a[:, None], b[:, None]


def as_matrix(blobs: Sequence[bytes | None], num_perm: int) -> np.ndarray:
    """Staged signatures back to a [n, num_perm] uint32 matrix (a missing one becomes all ones: matches nothing)."""
    out = np.full((len(blobs), num_perm), 0xFFFFFFFF, dtype=np.uint32)
    for i, blob in enumerate(blobs):
        if blob:
            out[i] = np.frombuffer(blob, dtype="<u4")
    return out


def estimated_jaccard(a: np.ndarray, b: np.ndarray) -> np.ndarray | float:
    """Share of equal signature values: row-wise for two [m, num_perm] matrices, a float for two vectors."""
    eq = np.asarray(a) == np.asarray(b)
    return eq.mean(axis=-1) if eq.ndim > 1 else float(eq.mean())


def shingle_set(view: str, ngram: int) -> np.ndarray:
    return distinct(shingle_hashes(view, ngram))


def exact_jaccard(a: str, b: str, ngram: int) -> float:
    """Jaccard of the two views' shingle sets (shingles compared by 64-bit hash)."""
    sa, sb = shingle_set(a, ngram), shingle_set(b, ngram)
    inter = len(np.intersect1d(sa, sb, assume_unique=True))
    return inter / (len(sa) + len(sb) - inter)


def s_curve(bands: int, rows: int, points: int = 21) -> list[tuple[float, float]]:
    """P(candidate) = 1 - (1 - s^rows)^bands at similarities 0, 0.05, ..., 1."""
    return [(s, 1 - (1 - s**rows) ** bands) for s in (i / (points - 1) for i in range(points))]
