"""MinHash signatures of many views (see `minhash`), the inner loop compiled (numba): one pass over their code points.

For each shingle: the polynomial hash over its code points (64-bit, wrapping), folded to 32 bits, the MurmurHash3
finalizer, then every affine32 permutation a*h + b mod 2^32, each kept if below the view's minimum so far. The
same arithmetic as `minhash.shingle_hashes` + datasketch's permutations (equality tested), in a loop with no
temporaries: numpy's version wrote and read a [num_perm x shingles] matrix three times and signed ~16k views of
1k characters per second on one core; this signs ~70k. It holds no GIL, so threads share the work.
Compiled once and cached beside this file (or in the user's cache directory when that is read-only). Loading
numba and the cached loop takes ~0.4 s and ~150 MB in a process (~100 MB of it LLVM's shared library pages),
so it is loaded once a process has signed COMPILED_FROM views, not with this module; until then they are signed
with numpy (`minhash.signature_matrix_numpy`, the same values, ~4x slower), at most what loading costs: a run of
a few thousand documents, or a process that never signs many, never loads it.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from typing import Any

import numpy as np

from pipeline.dedup.minhash import FMIX, POLY, permutations, signature_matrix_numpy

_LOW32 = np.uint64(0xFFFFFFFF)
_S1, _M1, _S2, _M2, _S3 = FMIX  # the MurmurHash3 finalizer, as `minhash._fmix32` applies it
COMPILED_FROM = 8192  # views signed in a process from which the compiled loop is loaded: numpy signs that many
# in ~0.5 s, about what loading numba costs (so the rule costs at most twice the better choice made in hindsight)
_signed_with_numpy = 0


def sign_code_points(
    code_points: np.ndarray, ends: np.ndarray, ngram: int, a: np.ndarray, b: np.ndarray, out: np.ndarray
) -> None:
    """Signatures of the views whose code points are `code_points` (uint32, views back to back) and which end at
    `ends` (int64, one per view), into out[view, perm]; a view of `ngram` or fewer code points is one shingle."""
    shingles = np.empty(1024, np.uint32)
    start = 0
    for view in range(ends.shape[0]):
        end = ends[view]
        length = end - start
        count = length - ngram + 1 if length > ngram else 1
        if shingles.shape[0] < count:
            shingles = np.empty(2 * count, np.uint32)
        for i in range(count):
            h = np.uint64(0)
            stop = start + i + ngram if length > ngram else end
            for k in range(start + i, stop):
                h = h * POLY + np.uint64(code_points[k])
            x = np.uint32((h ^ (h >> np.uint64(32))) & _LOW32)
            x ^= x >> _S1
            x = np.uint32(x * _M1)
            x ^= x >> _S2
            x = np.uint32(x * _M2)
            x ^= x >> _S3
            shingles[i] = x
        for p in range(a.shape[0]):
            ap, bp = a[p], b[p]
            least = np.uint32(0xFFFFFFFF)
            for i in range(count):
                least = min(least, np.uint32(ap * shingles[i] + bp))
            out[view, p] = least
        start = end


@cache
def _compiled() -> Any:
    from numba import njit

    return njit(cache=True, nogil=True, boundscheck=False)(sign_code_points)


def load_compiled() -> None:
    """Load the compiled loop now (compiling it once where no cache holds it yet, ~1 s): `make` does."""
    a, b = (x[:, 0].copy() for x in permutations(1, 1))
    _sign_into([""], 5, a, b, np.empty((1, 1), dtype=np.uint32))


def _sign_into(views: Sequence[str], ngram: int, a: np.ndarray, b: np.ndarray, out: np.ndarray) -> None:
    code_points = np.frombuffer("".join(views).encode("utf-32-le"), dtype="<u4")
    ends = np.cumsum(np.fromiter((len(v) for v in views), dtype=np.int64, count=len(views)))
    _compiled()(code_points, ends, ngram, a, b, out)


def signature_matrix(
    views: Sequence[str], *, num_perm: int, ngram: int, seed: int = 1, workers: int = 1, chunk: int = 4096
) -> np.ndarray:
    """[len(views), num_perm] uint32 MinHash signatures, `chunk` views at a time (their code points are all the
    memory it takes) on `workers` threads: the compiled loop holds no GIL, so threads need no pickled copies of
    the views nor processes to start. Until the process has signed COMPILED_FROM views: numpy."""
    global _signed_with_numpy
    if not _compiled.cache_info().currsize and _signed_with_numpy + len(views) < COMPILED_FROM:
        _signed_with_numpy += len(views)
        return signature_matrix_numpy(views, num_perm=num_perm, ngram=ngram, seed=seed)
    a, b = (x[:, 0].copy() for x in permutations(num_perm, seed))
    out = np.empty((len(views), num_perm), dtype=np.uint32)
    starts = range(0, len(views), chunk)

    def sign(start: int) -> None:
        _sign_into(views[start : start + chunk], ngram, a, b, out[start : start + chunk])

    if workers <= 1 or len(views) <= chunk:
        for start in starts:
            sign(start)
    else:
        with ThreadPoolExecutor(workers) as pool:
            list(pool.map(sign, starts))
    return out


def signatures(views: Sequence[str], *, num_perm: int, ngram: int, seed: int = 1) -> list[bytes]:
    """One signature per view, as num_perm little-endian uint32 values (num_perm * 4 bytes), for staging."""
    matrix = signature_matrix(views, num_perm=num_perm, ngram=ngram, seed=seed).astype("<u4", copy=False)
    return [row.tobytes() for row in matrix]
