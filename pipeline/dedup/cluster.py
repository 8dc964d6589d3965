"""Duplicate clusters: exact (equal hashing views) and near (MinHash LSH, verified), joined by union-find.

Candidates are documents that share an LSH band bucket; for partial copies also those that share a band of
fewer rows (found at lower Jaccard) or the first characters of their view (a copy cut short still begins
alike). Every candidate whose MinHash estimate comes within `margin` of the threshold (or of `containment`)
is verified on its views, fetched for just those documents. A pair is a duplicate when
- their titles agree (a short first line; see `titles_agree`): a copy re-flowed, re-spaced or re-posted
  under 轉載： or a letterhead still does; a law and its 施行細則, the organisation acts of two agencies, one
  year's budget act and the next do not;
- their shingle sets are alike: Jaccard at least `threshold`, or -- a truncated copy, an excerpt -- the shorter
  one's shingles at least `containment` inside the longer one's, when the shorter view has at least
  `containment_min_chars` characters, and in one contiguous stretch of it (Jaccard with the stretch it lines
  up with reaches `threshold`): a version with an article added inside has all of the old one's shingles,
  but not in one stretch;
- they do not differ as versions do (`compare.substantively_different`): a number changed (三十日 -> 四十日),
  an article added or deleted, a sentence rewritten. A version that changed one amount has a Jaccard of 0.99;
  only the alignment tells it from a copy with a typo.
Copies are joined with everything they are copies of; a partial copy joins only the one cluster it is most
alike (`_attach`): the opening articles of a law are a partial copy of every later version of it.

The representative of a cluster is chosen deterministically -- a document of an already published corpus
first, then by the `keep` criteria (default: lowest source priority, then the most complete (longest) text,
then the earliest publisher date), then input order -- and names the cluster. Every document belongs to a
cluster; a singleton is its own.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from pipeline.dedup.compare import slip, substantively_different, taiwan_phrasing
from pipeline.dedup.lsh import UnionFind, band_keys, bucket_pairs, candidate_pairs, distinct_pairs
from pipeline.dedup.minhash import estimated_jaccard, shingle_set

_PAIR_CHUNK = 1 << 14  # pairs whose signature rows are compared at once: 16 MiB of rows, whatever the corpus
NO_DATE = np.iinfo(np.int64).max
TITLE_SLACK = 8  # characters a re-post may put before a title (轉載, 【公告】, 新聞稿)
OPENING = 32  # characters of chrome a view may open with before its title
HEAD_LINES = 8  # lines of a letterhead (機關令, 日期, 字號) a view may open with before its title
VERIFY_CHUNK = 8192  # candidate pairs verified per batch of views read (bounds the memory views take)
PART_ROWS = 4  # signature rows per band of the partial-copy candidates
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
    containment_min_chars: int = 100


@dataclass(frozen=True)
class View:
    """What verification compares of one document: its hashing view, its title view and its lines."""

    text: str
    title: str | None = None
    lines: list[str] = field(default_factory=list)  # the view line by line (how versions differ from copies)
    whole: list[str] | None = None  # line by line with the boilerplate left in (None: there was none)
    _shingles: dict[int, np.ndarray] = field(default_factory=dict, compare=False, repr=False)

    def shingles(self, ngram: int) -> np.ndarray:
        """The view's shingle set, computed once for all the pairs the document is in."""
        if ngram not in self._shingles:
            self._shingles[ngram] = shingle_set(self.text, ngram)
        return self._shingles[ngram]


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

    def __len__(self) -> int:
        return len(self.ids)


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


def cluster(
    docs: Candidates,
    near: NearSettings | None = None,
    views: Callable[[list[int]], dict[int, View]] | None = None,
    keep: Sequence[str] = DEFAULT_KEEP,
    pairs_of: Callable[[np.ndarray], np.ndarray] = candidate_pairs,
) -> Clusters:
    """Cluster `docs`. `views(indices)` returns the views exact verification compares; `pairs_of` turns the
    [n, bands] band keys into candidate pairs (on this machine, or on a cluster)."""
    n = len(docs)
    uf = UnionFind(n)
    first_with_key: dict[str, int] = {}
    for i, key in enumerate(docs.hash_keys):
        j = first_with_key.setdefault(key, i)
        if j != i:
            uf.union(j, i)
    n_pairs = checked = 0
    if near is not None and docs.signatures is not None and n > 1:
        pairs = pairs_of(band_keys(docs.signatures, near.bands, near.rows))
        if near.containment is not None:
            pairs = distinct_pairs(np.concatenate((pairs, *_partial_pairs(docs, near, pairs_of))), n)
        roots = uf.roots()
        pairs = pairs[roots[pairs[:, 0]] != roots[pairs[:, 1]]]
        n_pairs = len(pairs)
        est = _estimates(docs.signatures, pairs)
        cont, long_enough = _containment(docs, pairs, est, near)
        # Every pair that may be a duplicate is checked on its views: a version of a law that changed one amount
        # has a Jaccard of 0.99 -- only the alignment tells it from a copy with a typo.
        close = (est >= near.threshold - near.margin) | (long_enough & (cont >= (near.containment or 2) - near.margin))
        unsure = [(a, b) for a, b in pairs[close].tolist() if uf.find(a) != uf.find(b)]
        if unsure and views is not None:
            parts: list[tuple[int, int, float]] = []  # (shorter, longer, Jaccard): partial copies, joined last
            for start in range(0, len(unsure), VERIFY_CHUNK):  # the views of one chunk's documents held at once
                chunk = [(a, b) for a, b in unsure[start : start + VERIFY_CHUNK] if uf.find(a) != uf.find(b)]
                seen = views(sorted({i for pair in chunk for i in pair})) if chunk else {}
                for a, b in chunk:
                    if uf.find(a) != uf.find(b):
                        checked += 1
                        match = _match(seen[a], seen[b], near)
                        if match is _SAME:
                            uf.union(a, b)
                        elif match is not None:
                            shorter = len(seen[a].text) <= len(seen[b].text)
                            parts.append((a, b, match) if shorter else (b, a, match))
            _attach(uf, parts)
    return _assign(docs, uf.roots(), n_pairs, checked, keep)


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
    lengths = np.asarray(docs.view_len if docs.view_len is not None else docs.n_chars)
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
    lengths = np.asarray(docs.view_len if docs.view_len is not None else docs.n_chars, dtype=np.float64)
    la, lb = lengths[pairs[:, 0]], lengths[pairs[:, 1]]
    sa, sb = np.maximum(la - near.ngram + 1, 1), np.maximum(lb - near.ngram + 1, 1)
    inter = est / (1 + est) * (sa + sb)
    return np.minimum(1.0, inter / np.minimum(sa, sb)), np.minimum(la, lb) >= near.containment_min_chars


def titles_agree(a: View, b: View) -> bool:
    """Equal titles; one title the other with a short prefix (轉載：, 【公告】: a re-post); or one of the two titles
    opening both views, give or take some chrome before it (a re-flowed first line, a letterhead, a site's
    header line left in); also in Taiwan phrasing (釋出 / 发布), or with a slip of a character or two. A
    different name (another agency's, year's, or the law's own name followed by 施行細則 in a
    different text) agrees in none of these ways."""
    if a.title is None or b.title is None or a.title == b.title:
        return True
    if taiwan_phrasing(a.title) == taiwan_phrasing(b.title) or slip(a.title, b.title):
        return True
    short, long_ = sorted((a.title, b.title), key=len)
    if long_.endswith(short) and len(long_) - len(short) <= TITLE_SLACK:
        return True
    return any(_opens(t, a) and _opens(t, b) for t in (a.title, b.title))


def _opens(title: str, view: View) -> bool:
    """The title stands near the top of the view: in its first characters (a re-flowed first line) or first
    lines (under a letterhead)."""
    return title in view.text[: len(title) + OPENING] or title in "".join(view.lines[:HEAD_LINES])


_SAME = 2.0  # `_match` of two copies (a partial copy scores its Jaccard, at most 1)


def _match(a: View, b: View, near: NearSettings) -> float | None:
    """Exact verification of one candidate pair (see the module docstring): _SAME for copies, the Jaccard of a
    partial copy with the longer document, None for two different documents."""
    if not titles_agree(a, b):
        return None
    sa, sb = a.shingles(near.ngram), b.shingles(near.ngram)
    inter = len(np.intersect1d(sa, sb, assume_unique=True))
    jaccard = inter / (len(sa) + len(sb) - inter)
    shorter, longer = (a, b) if len(a.text) <= len(b.text) else (b, a)
    if jaccard >= near.threshold and _alike(a, b):
        return _SAME
    if jaccard < near.threshold and not _partial_copy(shorter, longer, inter / min(len(sa), len(sb)), near):
        return None
    # a partial copy -- or a copy cut short -- joins the cluster it is most alike
    return jaccard if _alike(shorter, longer, partial=True) else None


def _partial_copy(shorter: View, longer: View, containment: float, near: NearSettings) -> bool:
    """Long enough, contained enough, and in one contiguous stretch of the longer document."""
    if near.containment is None or len(shorter.text) < near.containment_min_chars or containment < near.containment:
        return False
    return _window_similarity(shorter, longer.text, near.ngram) >= near.threshold


def _attach(uf: UnionFind, parts: list[tuple[int, int, float]]) -> None:
    """Join each partial copy's cluster to one cluster only: the one of the longer document it is most alike.
    The opening articles of a law are a partial copy of every later version too; joining them all would make
    one cluster of versions that verification kept apart."""
    best: dict[int, tuple[float, int]] = {}
    for shorter, longer, jaccard in parts:
        rs, rl = uf.find(shorter), uf.find(longer)
        if rs != rl and (rs not in best or (jaccard, -rl) > (best[rs][0], -best[rs][1])):
            best[rs] = (jaccard, rl)
    for rs, (_, rl) in sorted(best.items()):
        uf.union(rs, rl)


def _alike(a: View, b: View, partial: bool = False) -> bool:
    """Not substantively different, without their boilerplate or with it: a line that many documents end with
    (本法自公布日施行) is peeled as boilerplate from the end of one copy, but not from a copy with a footer
    after it."""
    if not substantively_different(a.lines, b.lines, partial):
        return True
    if a.whole is None and b.whole is None:
        return False
    return not substantively_different(a.whole or a.lines, b.whole or b.lines, partial)


def _window_similarity(view: View, longer: str, ngram: int) -> float:
    """Jaccard of the shorter view with the stretch of the longer one it lines up with: a truncated copy or an
    excerpt is one contiguous stretch of the original; a version with an article added or changed inside is
    not, though its shingles may all be there."""
    best = 0.0
    shorter, sa = view.text, view.shingles(ngram)
    for offset in sorted({0, len(shorter) // 4, len(shorter) // 2}):
        anchor = shorter[offset : offset + 16]
        start = longer.find(anchor) if len(anchor) == 16 else -1
        if start < 0:
            continue
        begin = max(0, start - offset)
        sb = shingle_set(longer[begin : begin + len(shorter)], ngram)
        inter = len(np.intersect1d(sa, sb, assume_unique=True))
        best = max(best, inter / (len(sa) + len(sb) - inter))
    return best


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
    criteria = [_criterion(docs, name) for name in keep]
    # lexsort: the last key is primary -> cluster, published first, the keep criteria in order, input order
    ranked = np.lexsort((np.arange(n), *reversed(criteria), ~published, roots))
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
        view_len=np.concatenate(
            [np.asarray(p.view_len if p.view_len is not None else p.n_chars, dtype=np.int64) for p in parts]
        )
        if n
        else np.empty(0, dtype=np.int64),
        prefix_keys=_prefix_keys(parts) if n else None,
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
