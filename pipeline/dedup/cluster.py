"""Duplicate clusters: exact (equal hashing views) and near (MinHash LSH, verified), joined by union-find.

Candidates are documents that share an LSH band bucket; for partial copies also those that share a band of
fewer rows (found at lower Jaccard) or the first characters of their view (a copy cut short still begins
alike). Every candidate whose MinHash estimate comes within `margin` of the threshold (or of `containment`)
is verified (`verify.match`) on the views of just those documents, built from their texts in batches that
keep each connected group of candidates together (a document's view is built once), in worker processes
when there are many pairs. Copies are joined with everything they are copies of; a partial copy joins only
the one cluster it is most alike (`_attach`): the opening articles of a law are a partial copy of every later
version of it.

The representative of a cluster is chosen deterministically -- a document of an already published corpus
first, then by the `keep` criteria (default: lowest source priority, then the most complete (longest) text,
then the earliest publisher date), then input order -- and names the cluster. Every document belongs to a
cluster; a singleton is its own.

Documents that `follow` (rejected before dedup: a table the quality gate turned away) are matched the same way
but only find the cluster they belong to: each joins the one cluster it is most alike, never leads one, and
never joins two; those alike only to one another make a cluster of their own. The clusters of the other
documents are what they would be without them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context
from typing import Any

import numpy as np

from pipeline.dedup.lsh import UnionFind, band_keys, bucket_pairs, candidate_pairs, components, distinct_pairs
from pipeline.dedup.minhash import estimated_jaccard
from pipeline.dedup.pool import bounded
from pipeline.dedup.verify import (
    COPY,
    JOINED,
    NUMBERS,
    VERSIONS,
    Noisy,
    Partial,
    Slipped,
    Verdict,
    bridges,
    verify_pairs,
)
from pipeline.dedup.view import Source, Stored

_PAIR_CHUNK = 1 << 14  # pairs whose signature rows are compared at once: 16 MiB of rows, whatever the corpus
NO_DATE = np.iinfo(np.int64).max
VIEW_BATCH = 4096  # documents whose views a batch of verification holds (bounds the memory views take)
PARALLEL_PAIRS = 20_000  # fewer pairs than this are verified in this process (a worker takes ~1 s to start)
PART_ROWS = 4  # signature rows per band of the partial-copy candidates
BRIDGE_MEMBERS = 3  # longest documents of a partial copy's cluster weighed as versions of the longer one
CONTAINED_EQUAL = 0.01  # containments that differ by less are alike (a few shingles of a thousand)
KEEP_CRITERIA = ("priority", "longest", "earliest", "newest")
DEFAULT_KEEP = ("priority", "longest", "earliest")


@dataclass(frozen=True)
class NearSettings:
    bands: int
    rows: int
    threshold: float
    ngram: int
    margin: float = 0.1  # estimates this close to the threshold are checked exactly
    containment: float | None = None  # None: no partial copies
    containment_min_chars: int = 80


@dataclass
class Candidates:
    """The documents to cluster, as aligned columns. `hash_keys` equal = exact duplicates."""

    ids: Sequence[str]
    hash_keys: Sequence[str]
    priority: np.ndarray  # lower wins
    n_chars: np.ndarray
    signatures: np.ndarray | None = None  # [n, num_perm] uint32
    published: np.ndarray | None = None  # True: already in a published corpus (always wins, never removed)
    dates: np.ndarray | None = None  # publisher date as int64 microseconds; NO_DATE when unknown
    view_len: np.ndarray | None = None  # characters of each hashing view (containment); None: n_chars stands in
    prefix_keys: np.ndarray | None = None  # uint64 hash of each view's beginning; None: no prefix candidates
    follows: np.ndarray | None = None  # True: rejected before dedup, placed in a cluster but never joins two

    def __len__(self) -> int:
        return len(self.ids)

    def view_lengths(self) -> np.ndarray:
        """Characters of each hashing view; the text's length where the views' are not known."""
        return np.asarray(self.view_len if self.view_len is not None else self.n_chars)


@dataclass
class Clusters:
    representative: np.ndarray  # index of each document's representative
    size: np.ndarray
    exact: np.ndarray  # same hashing view as the representative
    candidate_pairs: int = 0
    checked_exactly: int = 0

    def is_representative(self, i: int) -> bool:
        return int(self.representative[i]) == i


def _estimates(sigs: np.ndarray, pairs: np.ndarray) -> np.ndarray:
    out = np.empty(len(pairs))
    for s in range(0, len(pairs), _PAIR_CHUNK):
        p = pairs[s : s + _PAIR_CHUNK]
        out[s : s + len(p)] = estimated_jaccard(sigs[p[:, 0]], sigs[p[:, 1]])
    return out


Texts = Callable[[list[int]], Mapping[int, Source]]


def cluster(
    docs: Candidates,
    near: NearSettings | None = None,
    texts: Texts | None = None,
    keep: Sequence[str] = DEFAULT_KEEP,
    pairs_of: Callable[[np.ndarray], np.ndarray] = candidate_pairs,
    boilerplate: frozenset[int] = frozenset(),
    workers: int = 1,
) -> Clusters:
    """Cluster `docs`. `texts(indices)` returns the texts verification compares (their views leave out the
    `boilerplate` line keys); `pairs_of` turns the [n, bands] band keys into candidate pairs (on this machine,
    or on a cluster); `workers` processes verify when there are many pairs."""
    n = len(docs)
    uf = UnionFind(n)
    follows = docs.follows if docs.follows is not None else np.zeros(n, dtype=bool)
    followers = _Followers(follows)
    first_with_key: dict[str, int] = {}
    for i, key in enumerate(docs.hash_keys):
        if not follows[i]:
            j = first_with_key.setdefault(key, i)
            if j != i:
                uf.union(j, i)
    followers.exact(docs.hash_keys, first_with_key)
    n_pairs = checked = 0
    if near is not None and docs.signatures is not None and n > 1:
        pairs = pairs_of(band_keys(docs.signatures, near.bands, near.rows))
        if near.containment is not None:
            pairs = distinct_pairs(np.concatenate((pairs, *_partial_pairs(docs, near, pairs_of))), n)
        roots = uf.roots()
        pairs = pairs[roots[pairs[:, 0]] != roots[pairs[:, 1]]]
        following = follows[pairs[:, 0]] | follows[pairs[:, 1]]
        followed = pairs[following & followers.open(pairs)]
        pairs = pairs[~following]
        n_pairs = len(pairs) + len(followed)
        est = _estimates(docs.signatures, pairs)
        close = _close(docs, pairs, est, near)
        unsure = pairs[close]
        if len(followed) and texts is not None:
            f_est = _estimates(docs.signatures, followed)
            f_close = _close(docs, followed, f_est, near)
            followed, f_est = followed[f_close], f_est[f_close]
            estimate = dict(zip(map(tuple, followed.tolist()), f_est.tolist(), strict=True))
            many = workers if len(followed) >= PARALLEL_PAIRS else 1
            # on a union-find of their own, where nothing is joined: no follower pair is skipped as joined
            batches = _batches(followed, f_est, n)
            for batch, verdicts in _verified(batches, UnionFind(n), texts, boilerplate, near, many):
                checked += sum(verdict != JOINED for verdict in verdicts)
                followers.offer(batch, verdicts, estimate)
        if len(unsure) and texts is not None:
            parts: list[Partial] = []  # joined last
            noisy: list[Noisy] = []  # joined after the copies
            slipped: list[Slipped] = []  # joined after the copies, before the noisy ones
            numbers: list[tuple[int, int]] = []  # versions by their numbers alone: no slipped copy joins them
            versions: list[tuple[int, int]] = []  # pairs no noisy copy may join
            copies: Counter[int] = Counter()  # copies verified of each document
            many = workers if len(unsure) >= PARALLEL_PAIRS else 1
            for batch, verdicts in _verified(_batches(unsure, est[close], n), uf, texts, boilerplate, near, many):
                checked += sum(verdict != JOINED for verdict in verdicts)
                for (a, b), verdict in zip(batch, verdicts, strict=True):
                    if verdict == COPY:
                        uf.union(a, b)
                        copies[a] += 1
                        copies[b] += 1
                    elif isinstance(verdict, Partial):
                        parts.append(verdict)
                    elif isinstance(verdict, Noisy):
                        noisy.append(verdict)
                    elif isinstance(verdict, Slipped):
                        slipped.append(verdict)
                    elif verdict in (VERSIONS, NUMBERS):
                        versions.append((a, b))
                        if verdict == NUMBERS:
                            numbers.append((a, b))
            for found in (parts, noisy, slipped, numbers, versions):
                found.sort()  # in the order of the pairs, not of the batches coming back
            _attach_slipped(uf, slipped, numbers)
            _attach_noisy(uf, noisy, versions, copies)
            peers = _peers(docs.signatures, versions, near.threshold, docs.view_lengths())
            _attach(
                uf, parts, docs.view_lengths(), lambda triples: _bridges(triples, n, texts, boilerplate, near), peers
            )
    followers.place(uf)
    return _assign(docs, uf.roots(), n_pairs, checked, keep)


def _peers(
    signatures: np.ndarray, versions: list[tuple[int, int]], threshold: float, lengths: np.ndarray
) -> list[tuple[int, int]]:
    """The versions alike enough to have been compared whole (MinHash estimate at the threshold or above), each
    as (the one at least as long, the other): an amendment that added or rewrote words beside its base. A copy
    cut short that reads as a version without the last articles is the shorter one."""
    if not versions:
        return []
    pairs = np.asarray(versions, dtype=np.int64)
    pairs = pairs[_estimates(signatures, pairs) >= threshold]
    out = []
    for a, b in pairs.tolist():
        if lengths[a] >= lengths[b]:
            out.append((a, b))
        if lengths[b] >= lengths[a]:
            out.append((b, a))
    return out


def _close(docs: Candidates, pairs: np.ndarray, est: np.ndarray, near: NearSettings) -> np.ndarray:
    """The pairs that may be duplicates: every one is checked on its views (a version of a law that changed one
    amount has a Jaccard of 0.99 -- only the alignment tells it from a copy with a typo)."""
    cont, long_enough = _containment(docs, pairs, est, near)
    return (est >= near.threshold - near.margin) | (long_enough & (cont >= (near.containment or 2) - near.margin))


class _Followers:
    """Where each following document goes: the cluster of the document it is most alike (a copy first, then a
    copy with a slip, a noisy copy, a partial copy; the same hashing view before all), else the one its
    followers alike go to, else a cluster of those followers alone."""

    _EXACT, _COPY, _SLIPPED, _NOISY, _PARTIAL = range(5)

    def __init__(self, follows: np.ndarray) -> None:
        self.follows = follows
        self.best: dict[int, tuple[int, float, int]] = {}  # follower -> (rank, -estimate, the other document)
        self.alike = UnionFind(len(follows)) if follows.any() else UnionFind(0)  # followers alike one another

    def exact(self, keys: Sequence[str], leading: dict[str, int]) -> None:
        """Followers with the hashing view of a leading document go to its cluster; those sharing one with
        other followers only are alike."""
        first: dict[str, int] = {}
        for i in np.flatnonzero(self.follows).tolist():
            key = keys[i]
            if key in leading:
                self.best[i] = (self._EXACT, -1.0, leading[key])
            else:
                self.alike.union(first.setdefault(key, i), i)

    def open(self, pairs: np.ndarray) -> np.ndarray:
        """Pairs still worth verifying: not a follower already placed by its hashing view with a leading one."""
        placed = np.zeros(len(self.follows), dtype=bool)
        placed[list(self.best)] = True
        a, b = pairs[:, 0], pairs[:, 1]
        return ~((placed[a] & self.follows[a] & ~self.follows[b]) | (placed[b] & self.follows[b] & ~self.follows[a]))

    def offer(
        self, batch: list[tuple[int, int]], verdicts: list[Verdict], estimate: Mapping[tuple[int, int], float]
    ) -> None:
        """Record what verification found of follower pairs (`estimate`: their MinHash Jaccard estimates)."""
        for (a, b), verdict in zip(batch, verdicts, strict=True):
            if verdict == COPY:
                rank = self._COPY
            elif isinstance(verdict, Slipped):
                rank = self._SLIPPED
            elif isinstance(verdict, Noisy):
                rank = self._NOISY
            elif isinstance(verdict, Partial):
                rank = self._PARTIAL
            else:  # versions, different documents, or joined through copies found in this batch
                continue
            if self.follows[a] and self.follows[b]:
                self.alike.union(a, b)
                continue
            mine, other = (a, b) if self.follows[a] else (b, a)
            offer = (rank, -estimate.get((a, b), 0.0), other)
            if mine not in self.best or offer < self.best[mine]:
                self.best[mine] = offer

    def place(self, uf: UnionFind) -> None:
        """Join each follower to its cluster in `uf`, whose other clusters are final."""
        mine = np.flatnonzero(self.follows).tolist()
        if not mine:
            return
        groups: dict[int, list[int]] = {}
        for i in mine:
            groups.setdefault(self.alike.find(i), []).append(i)
        for members in groups.values():
            offers = sorted((self.best[i], i) for i in members if i in self.best)
            for i in members:
                if i in self.best:
                    uf.union(self.best[i][2], i)
                elif offers:
                    uf.union(offers[0][0][2], i)
                else:
                    uf.union(members[0], i)


def _batches(pairs: np.ndarray, estimates: np.ndarray, n: int) -> Iterator[list[tuple[int, int]]]:
    """The pairs in batches of at most VIEW_BATCH documents, each connected group of candidates in one batch
    (a group larger than that is cut), so that a document's view is built once rather than once per batch; in a
    group, the most alike pairs (by their signatures' `estimates`) first: once they are found copies, the pairs
    they join need no comparison (`verify.JOINED`). Groups are found and ordered as arrays; only a group cut
    across batches is gone through pair by pair."""
    if not len(pairs):
        return  # (a follower's candidates may all be too far apart to verify)
    root = components(pairs, n)
    group = root[pairs[:, 0]]
    order = np.lexsort((-estimates, group))
    ordered = list(zip(*pairs[order].T.tolist(), strict=True))  # as tuples once: slices of an array, each made a
    # list, cost more than the rest of the batching
    group = group[order]
    sizes = np.bincount(root, minlength=n)  # documents in each group, by its root
    starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
    ends = np.r_[starts[1:], len(group)]
    batch: list[tuple[int, int]] = []
    held = 0  # documents in the batch
    for start, end, size in zip(starts.tolist(), ends.tolist(), sizes[group[starts]].tolist(), strict=True):
        if size <= VIEW_BATCH:
            if held + size > VIEW_BATCH and batch:
                yield batch
                batch, held = [], 0
            batch.extend(ordered[start:end])
            held += size
            continue
        members: set[int] = set()
        for a, b in ordered[start:end]:
            if held + len(members) + (a not in members) + (b not in members) > VIEW_BATCH and batch:
                yield batch
                batch, members, held = [], set(), 0
            batch.append((a, b))
            members.add(a)
            members.add(b)
        held += len(members)
    if batch:
        yield batch


def _verified(
    batches: Iterator[list[tuple[int, int]]],
    uf: UnionFind,
    texts: Texts,
    boilerplate: frozenset[int],
    near: NearSettings,
    workers: int,
) -> Iterator[tuple[list[tuple[int, int]], list[Verdict]]]:
    """(pairs, their `verify.match` verdicts) batch by batch, here or in `workers` processes. A pair whose
    documents were one cluster before verification began (exact duplicates) is not verified; nor, inside a
    batch, is one that copies verified earlier in it have joined. What is verified is thus the same however
    many workers there are and whenever their batches come back: skipping pairs the consumer had joined by the
    time a batch was made (a group of candidates too large for one batch spans several) made the clusters
    depend on the machine's load. A verdict is a function of the pair alone, and the consumer sorts what it
    attaches after every batch."""
    roots = uf.roots().tolist()  # before any verdict (a list: indexed pair by pair)

    def todo(batch: list[tuple[int, int]]) -> tuple[list[tuple[int, int]], Mapping[int, Source]]:
        batch = [(a, b) for a, b in batch if roots[a] != roots[b]]
        return batch, texts(sorted({i for pair in batch for i in pair})) if batch else {}

    if workers <= 1:
        for batch in batches:
            pairs, got = todo(batch)
            yield pairs, verify_pairs(pairs, got, boilerplate, near)
        return

    def jobs() -> Iterator[tuple[list[tuple[int, int]], Callable[..., list[Verdict]], tuple[Any, ...]]]:
        for batch in batches:
            pairs, got = todo(batch)
            yield pairs, _verify_in_worker, (pairs, {i: _encoded(source) for i, source in got.items()})

    with ProcessPoolExecutor(
        workers, mp_context=get_context("spawn"), initializer=_worker_setup, initargs=(boilerplate, near)
    ) as pool:
        yield from bounded(pool, jobs(), 2 * workers)


_WORKER: tuple[frozenset[int], NearSettings] | None = None


def _worker_setup(boilerplate: frozenset[int], near: NearSettings) -> None:
    global _WORKER
    _WORKER = (boilerplate, near)


TRANSFER = "utf-16-le"  # how texts and views travel to the verifying workers
Encoded = bytes | tuple[bytes, bytes | None]


def _encoded(source: Source) -> Encoded:
    """A document's text (and stored line views) as bytes for a worker: pickling a str caches its UTF-8 form
    inside it for good. In UTF-16 (`TRANSFER`): two bytes a Chinese character against UTF-8's three, and
    encoded and decoded a third faster."""
    if isinstance(source, str):
        return source.encode(TRANSFER)
    lines = None if source.line_views is None else source.line_views.encode(TRANSFER)
    return source.text.encode(TRANSFER), lines


def _decoded(encoded: Encoded) -> Source:
    if isinstance(encoded, bytes):
        return encoded.decode(TRANSFER)
    text, views = encoded
    return Stored(text.decode(TRANSFER), None if views is None else views.decode(TRANSFER))


def _verify_in_worker(pairs: list[tuple[int, int]], encoded: dict[int, Encoded]) -> list[Verdict]:
    assert _WORKER is not None
    return verify_pairs(pairs, {i: _decoded(e) for i, e in encoded.items()}, *_WORKER)


def _partial_pairs(
    docs: Candidates, near: NearSettings, pairs_of: Callable[[np.ndarray], np.ndarray]
) -> list[np.ndarray]:
    """More candidates for partial copies, whose Jaccard with the whole is low (a copy of half a notice: 0.5):
    documents that begin alike (a copy cut short), and those that share a band of PART_ROWS signature rows --
    more bands of fewer rows, found at a Jaccard of 0.5 seven times in eight -- among views long enough to
    be partial copies at all."""
    assert docs.signatures is not None
    found: list[np.ndarray] = []
    if docs.prefix_keys is not None:
        found.append(bucket_pairs(np.asarray(docs.prefix_keys, dtype=np.uint64), np.arange(len(docs), dtype=np.int64)))
    lengths = docs.view_lengths()
    long_enough = np.flatnonzero(lengths >= near.containment_min_chars)
    bands = docs.signatures.shape[1] // PART_ROWS
    if len(long_enough) > 1 and bands:
        local = pairs_of(band_keys(docs.signatures[long_enough], bands, PART_ROWS))
        found.append(long_enough[local] if len(local) else local)
    return found


def _containment(
    docs: Candidates, pairs: np.ndarray, est: np.ndarray, near: NearSettings
) -> tuple[np.ndarray, np.ndarray]:
    """Estimated containment of the smaller shingle set in the larger (from the Jaccard estimate and the view
    lengths), and whether the smaller view is long enough to count as a partial copy."""
    if near.containment is None:
        return np.zeros(len(pairs)), np.zeros(len(pairs), dtype=bool)
    lengths = docs.view_lengths().astype(np.float64)
    la, lb = lengths[pairs[:, 0]], lengths[pairs[:, 1]]
    sa, sb = np.maximum(la - near.ngram + 1, 1), np.maximum(lb - near.ngram + 1, 1)
    inter = est / (1 + est) * (sa + sb)
    return np.minimum(1.0, inter / np.minimum(sa, sb)), np.minimum(la, lb) >= near.containment_min_chars


def _attach_slipped(uf: UnionFind, slipped: list[Slipped], numbers: list[tuple[int, int]]) -> None:
    """Join each copy with a digit or modal verb slipped (`verify.Slipped`) to the other document's cluster,
    unless that puts two documents found to be versions by their `numbers` alone in one cluster: a typo copy of
    a law whose 性三倍 stands where the amendment has 十三倍 is a copy of both, and joins the amendment only when
    the law is not already its own. Where it is a copy of both alike (荓 where the law has 得 and the amendment
    應), the cluster copied most often takes it, as the likelier source. Versions that differ otherwise do not
    count: a typo copy reads as one beside a copy that moved the line its slip is in."""
    if not slipped:
        return
    roots = uf.roots()
    sizes = Counter(roots.tolist())
    apart = _Apart(uf, numbers)
    for letter, digit in sorted(slipped, key=lambda s: (-sizes[int(roots[s.digit])], s)):
        if not apart.would_join(letter, digit):
            apart.union(letter, digit)


def _attach_noisy(
    uf: UnionFind, noisy: list[Noisy], versions: list[tuple[int, int]], copies: Counter[int] | None = None
) -> None:
    """Join each noisy copy (`verify.Noisy`) that no copy has joined to anything to one cluster: the one it
    shares the fewest suspects with (then the most alike, the largest, the first), unless that would put two
    documents found to be `versions` in one cluster -- then the next. Its number changed may be a typo or
    another version's amount: a version that changed one amount is a noisy copy of every typo copy of the
    version before it. Each such document joins one cluster only, so a chain of them cannot join two clusters
    either.

    A reading as a version of members less copied than the cluster's hub (the member with the most `copies`
    verified) does not keep out a noisy copy of the hub itself and of more of its members than it reads as a
    version of: a typo copy reads as a version of a copy that moved the article its slips are in, but as a
    noisy copy of the law and of every other copy. An amendment reads as a version of that law, and stays
    out."""
    if not noisy:
        return
    roots = uf.roots()
    sizes = Counter(roots.tolist())
    offers: list[tuple[int, float, int, int, int]] = []  # suspects, -Jaccard, -size, the one alone, the other
    for a, b, jaccard, suspects in noisy:
        for alone, other in ((a, b), (b, a)):
            if sizes[int(roots[alone])] == 1:
                offers.append((suspects, -jaccard, -sizes[int(roots[other])], alone, other))
    trusted = _trusted(roots, versions)
    apart = _Apart(uf, trusted)
    copied = copies or Counter()
    hubs = _hubs(roots, copied)
    noisy_with: dict[int, set[int]] = {}
    versions_with: dict[int, set[int]] = {}
    for pairs, partners in (([(n.a, n.b) for n in noisy], noisy_with), (trusted, versions_with)):
        for a, b in pairs:
            partners.setdefault(a, set()).add(b)
            partners.setdefault(b, set()).add(a)
    settled: set[int] = set()
    for *_, alone, other in sorted(offers):
        if alone in settled:
            continue
        target = uf.find(other)
        if uf.find(alone) != target:
            if apart.would_join(alone, other) and not _noisy_of_hub(
                uf, target, hubs.get(target), noisy_with.get(alone, set()), versions_with.get(alone, set()), copied
            ):
                continue  # would join two versions: the next offer
            hub = hubs.get(target)
            apart.union(alone, other)
            if hub is not None:
                hubs[uf.find(other)] = hub
        settled.add(alone)


def _noisy_of_hub(
    uf: UnionFind, target: int, hub: int | None, noisy: set[int], versions: set[int], copies: Counter[int]
) -> bool:
    """Whether a document is a noisy copy of the `hub` of the cluster rooted at `target` and of more of its
    members than it reads as a version of (`noisy`, `versions`: the documents it was found so with), each of
    those verified a copy fewer times than the hub: a reading against a member as well copied as the hub (a
    law and its one copy) still counts."""
    if hub is None or hub not in noisy or hub in versions:
        return False
    against = [doc for doc in versions if uf.find(doc) == target]
    if any(copies[doc] >= copies[hub] for doc in against):
        return False
    return sum(uf.find(doc) == target for doc in noisy) > len(against)


def _hubs(roots: np.ndarray, copies: Counter[int]) -> dict[int, int]:
    """Each cluster's member with the most copies verified (the first of them), by the cluster's root."""
    hubs: dict[int, tuple[int, int]] = {}
    for doc, count in sorted(copies.items()):
        root = int(roots[doc])
        if root not in hubs or count > hubs[root][0]:
            hubs[root] = (count, doc)
    return {root: doc for root, (_, doc) in hubs.items()}


def _trusted(roots: np.ndarray, versions: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The `versions` pairs but those of documents read as a version of a member of their own cluster: copies
    joined them, so those readings were wrong (a copy that moved a paragraph reads as a version beside a typo
    copy with a slip in it), and they would keep a noisy copy out of its original's cluster."""
    torn = {doc for pair in versions if roots[pair[0]] == roots[pair[1]] for doc in pair}
    return [(a, b) for a, b in versions if a not in torn and b not in torn]


class _Apart:
    """Documents found to be versions (`pairs`), looked up by the cluster they are in as clusters join."""

    def __init__(self, uf: UnionFind, pairs: list[tuple[int, int]]) -> None:
        self.uf = uf
        self.apart: dict[int, set[int]] = {}
        for a, b in pairs:
            self.apart.setdefault(a, set()).add(b)
            self.apart.setdefault(b, set()).add(a)
        self.held: dict[int, set[int]] = {}  # by cluster root: its documents that are a version of some document
        for doc in self.apart:
            self.held.setdefault(uf.find(doc), set()).add(doc)

    def would_join(self, a: int, b: int) -> bool:
        """Whether joining the clusters of `a` and `b` would put two of the versions in one (False when one)."""
        ra, rb = self.uf.find(a), self.uf.find(b)
        return ra != rb and any(self.uf.find(q) == rb for p in self.held.get(ra, ()) for q in self.apart[p])

    def union(self, a: int, b: int) -> None:
        ra, rb = self.uf.find(a), self.uf.find(b)
        if self.uf.union(ra, rb):
            joined = self.held.pop(ra, set()) | self.held.pop(rb, set())
            if joined:
                self.held[self.uf.find(ra)] = joined


def _attach(
    uf: UnionFind,
    parts: list[Partial],
    lengths: np.ndarray,
    bridging: Callable[[list[tuple[int, int, int]]], list[bool | None]],
    peers: Sequence[tuple[int, int]] = (),
) -> None:
    """Join each partial copy's cluster to one cluster only: the one of the longer document that holds most of
    it. The opening articles of a law are a partial copy of every later version too; joining them all would
    make one cluster of versions that verification kept apart. Where two longer documents hold it alike (to
    CONTAINED_EQUAL: a copy cut short before the article a later version changed), the version copied most
    often is the likelier source, then the one it is most alike (Jaccard), then the earliest; either way the
    partial copy goes and both versions stay.

    Nor does a cluster join the longer document's when that would join two versions (`verify.bridges`): a copy
    cut short is a whole copy of a version without the last article (verification joins them) and a partial copy
    of the version with it. Nor when the partial copy itself would join a version it is at least as long as
    (`peers`, longer first): an amendment that added a clause at its end is a partial copy of its base's copy
    under a site header (longer by the header), but compared whole with the base it is a version of it. A copy
    cut short that reads as a version of the whole is the shorter one and still joins; so do the other members
    of the partial copy's cluster (two copies under different footers compare as versions)."""
    if not parts:
        return
    roots = uf.roots()
    sizes = Counter(roots.tolist())
    best: dict[int, tuple[tuple[int, int, float, int], int, int]] = {}
    for shorter, longer, jaccard, containment in parts:
        rs, rl = int(roots[shorter]), int(roots[longer])
        if rs == rl:
            continue
        rank = (round(containment / CONTAINED_EQUAL), sizes[rl], jaccard, -rl)
        if rs not in best or rank > best[rs][0]:
            best[rs] = (rank, longer, shorter)
    longest = _longest(roots, lengths, [rs for rs in best if sizes[rs] > 1])
    # the longer document, each of the longest of the partial copy's own cluster (but the copy itself), the copy:
    # the first member the copy may have been cut from decides
    rivals = {
        rs: [(longer, member, shorter) for member in longest.get(rs, ()) if member != shorter]
        for rs, (_, longer, shorter) in best.items()
    }
    apart: set[int] = set()
    while asked := sorted({triples[0] for triples in rivals.values() if triples}):
        verdicts = dict(zip(asked, bridging(asked), strict=True))
        for rs, triples in rivals.items():
            if not triples:
                continue
            verdict = verdicts[triples.pop(0)]
            if verdict is not None:  # this member decides; the others are not asked
                if verdict:
                    apart.add(rs)
                triples.clear()
    shorter_peers: dict[int, list[int]] = {}
    for longer_one, shorter_one in peers:
        shorter_peers.setdefault(longer_one, []).append(shorter_one)
    for rs, (_rank, longer, shorter) in sorted(best.items()):
        target = uf.find(longer)
        if rs not in apart and all(uf.find(peer) != target for peer in shorter_peers.get(shorter, ())):
            uf.union(rs, target)


def _longest(roots: np.ndarray, lengths: np.ndarray, wanted: list[int]) -> dict[int, list[int]]:
    """The BRIDGE_MEMBERS longest documents (the first of equally long ones) of each cluster in `wanted`, by root:
    copies re-flowed, reordered or under a header are as long as the one the partial copy was cut from."""
    members = np.flatnonzero(np.isin(roots, np.asarray(wanted, dtype=roots.dtype)))
    if not len(members):
        return {}
    order = members[np.lexsort((members, -lengths[members], roots[members]))]
    first = np.ones(len(order), dtype=bool)
    first[1:] = roots[order[1:]] != roots[order[:-1]]
    starts = np.flatnonzero(first)
    # each document's place in its cluster, longest first
    place = np.arange(len(order)) - np.repeat(starts, np.diff(np.append(starts, len(order))))
    out: dict[int, list[int]] = {}
    for member in order[place < BRIDGE_MEMBERS].tolist():
        out.setdefault(int(roots[member]), []).append(member)
    return out


def _bridges(
    triples: list[tuple[int, int, int]], n: int, texts: Texts, boilerplate: frozenset[int], near: NearSettings
) -> list[bool | None]:
    """`verify.bridges` of the triples, their texts fetched for at most VIEW_BATCH documents at a time."""
    found: list[bool | None] = []
    start = 0
    while start < len(triples):
        docs: set[int] = set()
        end = start
        while end < len(triples) and len(docs | set(triples[end])) <= VIEW_BATCH:
            docs |= set(triples[end])
            end += 1
        batch = triples[start:end]
        found.extend(bridges(batch, texts(sorted(docs)), boilerplate, near))
        start = end
    return found


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
    follows = docs.follows if docs.follows is not None else np.zeros(n, dtype=bool)
    criteria = [_criterion(docs, name) for name in keep]
    # lexsort: the last key is primary -> cluster, published first, then those not following, the keep criteria
    # in order, input order
    ranked = np.lexsort((np.arange(n), *reversed(criteria), follows, ~published, roots))
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
        view_len=np.concatenate([p.view_lengths().astype(np.int64) for p in parts])
        if n
        else np.empty(0, dtype=np.int64),
        prefix_keys=_prefix_keys(parts) if n else None,
        follows=np.concatenate([p.follows if p.follows is not None else np.zeros(len(p), dtype=bool) for p in parts])
        if n
        else np.empty(0, dtype=bool),
    )


def _prefix_keys(parts: Sequence[Candidates]) -> np.ndarray | None:
    """The parts' prefix keys; a part without them (published matches) gets keys no other document has."""
    if all(p.prefix_keys is None for p in parts):
        return None
    out, start = [], 0
    for p in parts:
        own = np.arange(start, start + len(p), dtype=np.uint64) | np.uint64(1 << 63)
        out.append(np.asarray(p.prefix_keys, dtype=np.uint64) if p.prefix_keys is not None else own)
        start += len(p)
    return np.concatenate(out)
