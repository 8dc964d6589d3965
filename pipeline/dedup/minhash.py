"""MinHash signatures over character n-gram shingles of the hashing view, computed for many documents at once.

Chinese has no spaces, so shingles are characters, not words (word shingles need jieba, the slowest step).
The permutations are datasketch's (`MinHash(..., scheme="affine32").permutations`: h -> a*h + b mod 2^32 after
the MurmurHash3 finalizer), so a signature here equals `datasketch.MinHash` fed the same shingle hashes
(tested). What is ours is the speed: a shingle is hashed with a polynomial over its code points, and hashing,
permuting and taking minima run in one compiled loop over many documents (`signing`, which alone imports
numba) -- ~70k documents of 1k characters per second on one core, against ~1k/s for one Python hash call per
shingle; a few documents are signed with numpy here (~16k/s), which loads nothing.
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
_GROUP_SHINGLES = 1 << 12  # shingles permuted per matrix: 128 x 4k x 4 bytes = 2 MB, near the caches (32 MB is
# allocated afresh by mmap each time, and page faults made signing twice as slow; 4k against 16k: 8% faster)
FMIX = (np.uint32(16), np.uint32(0x85EBCA6B), np.uint32(13), np.uint32(0xC2B2AE35), np.uint32(16))


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


def _fold32(h: np.ndarray) -> np.ndarray:
    return (h ^ (h >> np.uint64(32))).astype(np.uint32)


def _fmix32(h: np.ndarray) -> np.ndarray:
    s1, m1, s2, m2, s3 = FMIX
    h = h ^ (h >> s1)
    h *= m1
    h ^= h >> s2
    h *= m2
    return h ^ (h >> s3)


@cache
def permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """datasketch's affine32 permutation parameters (a, b) as uint32 column vectors: odd `a` and any `b`, drawn
    from `RandomState(seed)` in datasketch's order (`MinHash._init_permutations`; equality tested). Drawn here
    rather than by importing datasketch, whose import (scipy) costs a second in every process that signs."""
    gen = np.random.RandomState(seed)
    a = gen.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    return a[:, None], b[:, None]


def _sign_group(hashes: list[np.ndarray], a: np.ndarray, b: np.ndarray) -> np.ndarray:
    lengths = np.fromiter((len(h) for h in hashes), dtype=np.int64, count=len(hashes))
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    hv = _fmix32(_fold32(np.concatenate(hashes)))
    phv = a * hv[None, :]
    phv += b
    return np.minimum.reduceat(phv, starts, axis=1).T


def signature_matrix_numpy(views: Sequence[str], *, num_perm: int, ngram: int, seed: int = 1) -> np.ndarray:
    """The signatures of `signing.signature_matrix` with numpy alone: a group of views is permuted as one
    [num_perm x shingles] matrix and min-reduced per view, ~16k views of 1k characters a second on one core
    (the compiled loop: ~70k). What signs a few views, where loading numba (~0.4 s, ~150 MB) would cost more."""
    a, b = permutations(num_perm, seed)
    out = np.empty((len(views), num_perm), dtype=np.uint32)
    group: list[np.ndarray] = []
    size = first = 0
    for i, view in enumerate(views):
        h = shingle_hashes(view, ngram)
        if group and size + len(h) > _GROUP_SHINGLES:
            out[first:i] = _sign_group(group, a, b)
            group, size, first = [], 0, i
        group.append(h)
        size += len(h)
    if group:
        out[first:] = _sign_group(group, a, b)
    return out


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
