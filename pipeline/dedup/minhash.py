"""MinHash signatures over character n-gram shingles of the hashing view, computed for many documents at once.

Chinese has no spaces, so shingles are characters, not words (word shingles need jieba, the slowest step).
The permutations are datasketch's (`MinHash(..., scheme="affine32").permutations`: h -> a*h + b mod 2^32 after
the MurmurHash3 finalizer), so a signature here equals `datasketch.MinHash` fed the same shingle hashes
(tested). What is ours is the layout: a shingle is hashed with a polynomial over its code points in numpy,
and a batch of documents is permuted as one [num_perm x shingles] matrix and min-reduced per document --
~20k documents of 1k characters per second on one core, against ~1k/s for one Python hash call per shingle.
Scheme, n-gram size, seed and permutations are recorded with the corpus: changing any changes every value.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from functools import cache
from multiprocessing import get_context

import numpy as np

from pipeline.dedup.arrays import distinct
from pipeline.dedup.pool import bounded

SCHEME = "affine32"
SHINGLE_HASH = "poly64-fold32"  # recorded with the corpus: how shingles become datasketch's input hashes

_POLY = np.uint64(0x100000001B3)  # odd multiplier of the shingle polynomial (FNV-1a 64 prime)
_MASK64 = (1 << 64) - 1
_BATCH_SHINGLES = 1 << 12  # shingles permuted per matrix: 128 x 4k x 4 bytes = 2 MB, near the caches (32 MB is
# allocated afresh by mmap each time, and page faults made signing twice as slow; 4k against 16k: 8% faster)
TRANSFER = "utf-16-le"  # how views and texts travel to worker processes (signing, verification)
_FMIX = (np.uint32(16), np.uint32(0x85EBCA6B), np.uint32(13), np.uint32(0xC2B2AE35), np.uint32(16))


def _codepoints(view: str) -> np.ndarray:
    return np.frombuffer(view.encode("utf-32-le"), dtype="<u4").astype(np.uint64)


def shingle_hashes(view: str, n: int) -> np.ndarray:
    """64-bit hashes of the view's character n-grams, in order (a view of n or fewer characters is one shingle)."""
    cp = _codepoints(view)
    if len(cp) <= n:
        h = 0
        for c in cp.tolist():
            h = (h * int(_POLY) + c) & _MASK64
        return np.array([h], dtype=np.uint64)
    m = len(cp) - n + 1
    h = cp[:m].copy()
    for k in range(1, n):
        h *= _POLY
        h += cp[k : k + m]
    return h


def shingle_hash(shingle: str) -> int:
    """One shingle's 32-bit input hash, the scalar twin of the vectorised path (a datasketch `hashfunc`)."""
    h = 0
    for ch in shingle:
        h = (h * int(_POLY) + ord(ch)) & _MASK64
    return (h ^ (h >> 32)) & 0xFFFFFFFF


def _fold32(h: np.ndarray) -> np.ndarray:
    return (h ^ (h >> np.uint64(32))).astype(np.uint32)


def _fmix32(h: np.ndarray) -> np.ndarray:
    s1, m1, s2, m2, s3 = _FMIX
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


def signature_matrix(views: Sequence[str], *, num_perm: int, ngram: int, seed: int = 1) -> np.ndarray:
    """[len(views), num_perm] uint32 MinHash signatures, in one process."""
    a, b = permutations(num_perm, seed)
    out = np.empty((len(views), num_perm), dtype=np.uint32)
    group: list[np.ndarray] = []
    size = first = 0
    for i, view in enumerate(views):
        h = shingle_hashes(view, ngram)
        if group and size + len(h) > _BATCH_SHINGLES:
            out[first:i] = _sign_group(group, a, b)
            group, size, first = [], 0, i
        group.append(h)
        size += len(h)
    if group:
        out[first:] = _sign_group(group, a, b)
    return out


def _sign_chunk(args: tuple[list[bytes], int, int, int]) -> np.ndarray:
    encoded, num_perm, ngram, seed = args
    return signature_matrix([v.decode(TRANSFER) for v in encoded], num_perm=num_perm, ngram=ngram, seed=seed)


def signature_matrix_parallel(
    views: Sequence[str], *, num_perm: int, ngram: int, seed: int = 1, workers: int = 2, chunk: int = 4096
) -> np.ndarray:
    """The same matrix computed by `workers` processes (spawned, so safe beside threads); worth it above ~10k views.

    At most two chunks per worker are in flight, so memory holds the output and a few chunks. Views travel as
    UTF-16 bytes encoded here: pickling a str would cache its UTF-8 form inside the str for good, doubling the
    memory of every view sent (measured: +2.4 GB at 500k views of 1k characters); UTF-16 takes two bytes a
    Chinese character to UTF-8's three, and is encoded and decoded a third faster.
    """
    if workers <= 1 or len(views) <= chunk:
        return signature_matrix(views, num_perm=num_perm, ngram=ngram, seed=seed)
    out = np.empty((len(views), num_perm), dtype=np.uint32)
    jobs = (
        (start, _sign_chunk, (([v.encode(TRANSFER) for v in views[start : start + chunk]], num_perm, ngram, seed),))
        for start in range(0, len(views), chunk)
    )
    with ProcessPoolExecutor(workers, mp_context=get_context("spawn")) as pool:
        for start, block in bounded(pool, jobs, 2 * workers):
            out[start : start + len(block)] = block
    return out


def signatures(views: Sequence[str], *, num_perm: int, ngram: int, seed: int = 1) -> list[bytes]:
    """One signature per view, as num_perm little-endian uint32 values (num_perm * 4 bytes), for staging."""
    matrix = signature_matrix(views, num_perm=num_perm, ngram=ngram, seed=seed).astype("<u4", copy=False)
    return [row.tobytes() for row in matrix]


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
