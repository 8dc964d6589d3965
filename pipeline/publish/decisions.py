"""Stage 4, publish -- the decisions: every staged row's fate, from the attributes extraction stored.

In order: the facts extraction found (a record that is not text, empty, too long), then the record rules of
publish/rules.py (abolished laws, unmapped 造字 under quarantine, min_chars, quality thresholds), then the
licence gate, then exact and near-duplicate clusters. A denied copy never wins a cluster because the gate runs
before dedup; documents of an earlier published corpus (`dedup.against`) join the clustering and always win.
Rows a record rule rejected keep their reason but follow into the cluster they belong to (`cluster.Candidates.
follows`): never leading it, never joining two.
The result is, per row, a reason (None = publish), a detail, a cluster and its size, and whether its text may
travel in rejected/; per resource, the licence as resolved; per step, documents in and out and CPU time.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import reduce
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.feather as feather

from pipeline.columns import take_rows
from pipeline.config import LoadedConfig
from pipeline.dates import parse_date
from pipeline.dedup.arrays import distinct
from pipeline.dedup.boilerplate import frequent, stripped_view, weighing
from pipeline.dedup.cluster import NO_DATE, Candidates, Clusters, NearSettings, cluster, concat
from pipeline.dedup.hashing import key_of_view, prefix_key
from pipeline.dedup.index import DedupIndexError, PublishedIndex, PublishedMatches, settings_of
from pipeline.dedup.lsh import band_keys, candidate_pairs
from pipeline.dedup.minhash import as_matrix
from pipeline.dedup.signing import signature_matrix
from pipeline.dedup.view import Source, Stored
from pipeline.extract.staged import StagedResource, StepStat
from pipeline.licensing import Resolved
from pipeline.publish.audit import cluster_audit
from pipeline.publish.removals import REMOVED, Ledger
from pipeline.publish.rules import RULES, RowFacts

PairsOf = Callable[[np.ndarray], np.ndarray]  # [n, bands] band keys -> candidate pairs (lsh.candidate_pairs)
_GATE_REASON = {"deny": "license_denied", "review": "license_review"}


@dataclass
class Decisions:
    """Per staged file, aligned with its rows: final reason (None = publish), cluster and cluster size."""

    reasons: dict[str, list[str | None]]
    details: dict[str, list[str | None]]
    clusters: dict[str, list[str | None]]
    sizes: dict[str, list[int | None]]
    licences: dict[str, Resolved]  # per staged file: its dataset's licence as publish applies it
    stats: dict[str, int] = field(default_factory=dict)
    cross_agency: dict[str, int] = field(default_factory=dict)  # "source/dataset_id" -> clusters spanning agencies
    withhold: dict[str, list[bool]] = field(default_factory=dict)  # text not to be redistributed in rejected/
    steps: dict[str, StepStat] = field(default_factory=dict)  # per decision: documents in, out, CPU seconds
    boilerplate: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.uint64))  # line keys left out
    rekeyed: dict[str, dict[int, Rekeyed]] = field(default_factory=dict)  # per staged file and row
    audit: list[dict[str, Any]] = field(default_factory=list)  # duplicate clusters for a maintainer to judge
    tombstones: list[tuple[str, bytes | None, int]] = field(default_factory=list)  # removed: key, signature, request
    removals: list[dict[str, Any]] = field(default_factory=list)  # per ledger entry: why, and documents removed


@dataclass(frozen=True)
class Rekeyed:
    """A document's dedup keys computed again without its boilerplate lines."""

    hash_key: str
    signature: bytes | None
    view_len: int


def read_staged(staged: StagedResource, columns: list[str] | None = None) -> pa.Table:
    return feather.read_table(staged.staged, columns=columns)


def staged_columns(path: str) -> set[str]:
    """The columns a staged file has (read from its footer): one staged by an earlier version may lack some."""
    with pa.memory_map(path) as source:
        return set(pa.ipc.open_file(source).schema.names)


REDO_BATCH = 4096  # documents whose texts, views and signatures are made again without boilerplate at once


class StagedTexts:
    """The text and line-view columns of staged files, the last one read kept: verification asks for the texts
    of one big file batch after batch, and reading it (decompressing the whole column) each time cost more than
    the rest."""

    def __init__(self) -> None:
        self._path: str | None = None
        self._columns: tuple[pa.ChunkedArray, pa.ChunkedArray | None] | None = None

    def of(self, path: str) -> tuple[pa.ChunkedArray, pa.ChunkedArray | None]:
        """(texts, line views) of a staged file; no line views from a file staged without them."""
        if path != self._path or self._columns is None:
            names = [name for name in ("text", "line_views") if name in staged_columns(path)]
            table = feather.read_table(path, columns=names)
            self._path, self._columns = path, (table["text"], table["line_views"] if "line_views" in names else None)
        return self._columns

    def sources(self, path: str, rows: list[int]) -> list[Stored]:
        """The text and line views of these rows of a staged file."""
        texts, views = self.of(path)
        line_views = take_rows(views, rows) if views is not None else [None] * len(rows)
        return [Stored(t or "", v) for t, v in zip(take_rows(texts, rows), line_views, strict=True)]


def resolve_licence(cfg: LoadedConfig, staged: StagedResource) -> Resolved:
    ds = staged.dataset
    return cfg.license_table().resolve(
        ds.license,
        dataset_id=ds.id,
        dataset_title=ds.title,
        agency=ds.agency,
        raw_url=ds.license_url,
        overrides=cfg.corpus.licenses,
    )


_DECIDE_COLUMNS = [
    "id",
    "reason",
    "flags",
    "n_chars",
    "quality",
    "private_use",
    "hash_key",
    "minhash",
    "modified_at",
    "view_len",
    "prefix_key",
    "line_keys",
]


@dataclass
class _Gated:
    """The verdicts before dedup per staged file and row, and the rows left for dedup."""

    reasons: dict[str, list[str | None]]
    details: dict[str, list[str | None]]
    withhold: dict[str, list[bool]]  # the licence is not `allow`: the text stays out of rejected/ too
    licences: dict[str, Resolved]
    candidates: Candidates
    slots: list[tuple[StagedResource, int]]  # per candidate: its staged resource and row
    steps: dict[str, StepStat]
    edge_keys: np.ndarray  # every candidate's distinct edge-line keys, concatenated
    edge_owner: np.ndarray  # the candidate each of those keys belongs to
    followers: _Pool  # rows a record rule rejected: placed in the clusters, never deciding one


class _Pool:
    """Dedup candidates as they are gathered, row by row of each staged file: aligned columns, their staged
    resource and row, their edge-line keys, their signatures (a matrix per staged file)."""

    def __init__(self, num_perm: int, follows: bool) -> None:
        self.num_perm, self.follows = num_perm, follows
        self.cols: dict[str, list[Any]] = {
            name: [] for name in ("id", "key", "priority", "n_chars", "date", "view_len", "prefix")
        }
        self.slots: list[tuple[StagedResource, int]] = []
        self._edge_keys: list[np.ndarray] = []
        self._edge_owner: list[np.ndarray] = []
        self._signatures: list[np.ndarray] = []

    def add(self, sc: StagedResource, row: int, t: dict[str, list[Any]], key: str, priority: int, date: Any) -> None:
        """One staged row (`t`: the staged file's columns), with its dedup `key` and publisher `date`."""
        cols = self.cols
        cols["id"].append(t["id"][row])
        cols["key"].append(key)
        cols["priority"].append(priority)
        cols["n_chars"].append(t["n_chars"][row] or 0)
        cols["date"].append(NO_DATE if date is None else date)
        cols["view_len"].append(t["view_len"][row] or t["n_chars"][row] or 0)
        cols["prefix"].append(t["prefix_key"][row] or 0)
        lines = t["line_keys"][row] or []
        if lines:
            self._edge_keys.append(np.asarray(lines, dtype=np.uint64))
            self._edge_owner.append(np.full(len(lines), len(self.slots), dtype=np.int64))
        self.slots.append((sc, row))

    def sign(self, blobs: list[bytes]) -> None:
        """The signatures of the rows just added from one staged file."""
        self._signatures.append(as_matrix(blobs, self.num_perm))

    @property
    def edge_keys(self) -> np.ndarray:
        return np.concatenate(self._edge_keys) if self._edge_keys else np.empty(0, dtype=np.uint64)

    @property
    def edge_owner(self) -> np.ndarray:
        return np.concatenate(self._edge_owner) if self._edge_owner else np.empty(0, dtype=np.int64)

    def candidates(self, signed: bool) -> Candidates:
        cols = self.cols
        return Candidates(
            ids=cols["id"],
            hash_keys=cols["key"],
            priority=np.asarray(cols["priority"], dtype=np.int64),
            n_chars=np.asarray(cols["n_chars"], dtype=np.int64),
            signatures=_stacked(self._signatures, self.num_perm) if signed else None,
            dates=np.asarray(cols["date"], dtype=np.int64),
            view_len=np.asarray(cols["view_len"], dtype=np.int64),
            prefix_keys=np.asarray(cols["prefix"], dtype=np.uint64),
            follows=np.full(len(cols["id"]), self.follows, dtype=bool),
        )


def _step(steps: dict[str, StepStat], name: str) -> StepStat:
    return steps.setdefault(name, StepStat())


def _gather(cfg: LoadedConfig, staged_files: list[StagedResource]) -> _Gated:
    """Every staged row through the record rules and the licence gate; the rows still in the running become
    dedup candidates, and those a record rule rejected follow them (their clusters are known too: the same
    table rejected in five places is one table)."""
    details: dict[str, list[str | None]] = {}
    withhold: dict[str, list[bool]] = {}
    licences: dict[str, Resolved] = {}
    corpus, dedup = cfg.corpus, cfg.corpus.dedup
    reasons: dict[str, list[str | None]] = {}
    steps: dict[str, StepStat] = {}
    run, followers = _Pool(dedup.num_perm, follows=False), _Pool(dedup.num_perm, follows=True)
    signed = dedup.near
    for sc in staged_files:
        staged = read_staged(sc, _DECIDE_COLUMNS)
        default_date = parse_date(sc.modified_at)
        dates = staged["modified_at"].cast(pa.int64()).to_pylist()
        t = staged.drop_columns(["minhash"]).to_pydict()
        source = corpus.sources[sc.source_index]
        lic = licences[sc.key] = resolve_licence(cfg, sc)
        row_reasons: list[str | None] = list(t["reason"])
        row_details: list[str | None] = [None] * len(row_reasons)
        open_rows = [i for i, r in enumerate(row_reasons) if r is None]
        ruled_out: list[int] = []
        for rule in RULES:
            stat, started = _step(steps, rule.name), time.thread_time()
            stat.docs_in += len(open_rows)
            still = []
            for i in open_rows:
                facts = RowFacts(
                    t["flags"][i] or [], t["n_chars"][i] or 0, t["quality"][i], t["private_use"][i] or [], source
                )
                verdict = rule.decide(facts, corpus)
                if verdict is None:
                    still.append(i)
                else:
                    row_reasons[i], row_details[i] = verdict
                    ruled_out.append(i)
            open_rows = still
            stat.docs_out += len(still)
            stat.cpu_s += time.thread_time() - started
        gate = _step(steps, "licence")
        gate.docs_in += len(open_rows)
        if lic.policy != "allow":
            for i in open_rows:
                row_reasons[i] = _GATE_REASON[lic.policy]
                row_details[i] = f"licence {lic.id}: policy {lic.policy}"
            open_rows = []
        gate.docs_out += len(open_rows)
        withhold[sc.key] = [lic.policy != "allow"] * len(row_reasons)
        # Rows a rule rejected follow, in a dataset the licence allows (a denied one's rows are no part of the
        # corpus) and with a signature (a row kept without one turns near dedup off for all).
        ruled_out = sorted(ruled_out) if lic.policy == "allow" else []
        signature_of = staged["minhash"].is_valid().to_pylist() if signed and ruled_out else None
        for pool, rows in ((run, open_rows), (followers, ruled_out)):
            chosen: list[int] = []
            for i in rows:
                key = t["hash_key"][i]
                if key is None or (pool is followers and signature_of is not None and not signature_of[i]):
                    continue
                date = dates[i] if dates[i] is not None else _micros(default_date)
                # With exact dedup off, a document's own id stands in for its key: nothing is equal.
                pool.add(sc, i, t, key if dedup.exact else t["id"][i], source.priority, date)
                chosen.append(i)
            if signed and chosen:
                blobs = staged["minhash"].take(chosen).to_pylist()
                signed = signed and (pool is followers or all(blobs))
                pool.sign(blobs)
        reasons[sc.key] = row_reasons
        details[sc.key] = row_details
    return _Gated(
        reasons,
        details,
        withhold,
        licences,
        run.candidates(signed),
        run.slots,
        steps,
        run.edge_keys,
        run.edge_owner,
        followers,
    )


def _micros(when: Any) -> int | None:
    """A datetime as microseconds since the epoch (the unit of the staged modified_at column)."""
    return None if when is None else int(when.timestamp() * 1_000_000)


def _stacked(parts: list[np.ndarray], num_perm: int) -> np.ndarray:
    """The per-file matrices as one, each freed once copied. The result's pages are committed only as they
    are written, so memory holds about one copy of the signatures, not two as with np.concatenate (which
    keeps every part until the end: 1 GB at a million documents)."""
    out = np.empty((sum(len(p) for p in parts), num_perm), dtype=np.uint32)
    at = 0
    parts.reverse()
    while parts:
        part = parts.pop()
        out[at : at + len(part)] = part
        at += len(part)
    return out


def decide(
    cfg: LoadedConfig,
    staged_files: list[StagedResource],
    published: list[PublishedIndex] | None = None,
    pairs_of: PairsOf = candidate_pairs,
    removals: Ledger | None = None,
    tombstones: Tombstones | None = None,
) -> Decisions:
    """The record rules and the licence gate first (so a denied copy never wins a cluster), then dedup over
    what remains.

    Documents of the `published` corpora that share a bucket or an exact key with this run's documents join
    the clustering and always win: a copy of something already published is removed, not the original.
    """
    dedup = cfg.corpus.dedup
    gated = _gather(cfg, staged_files)
    reasons, details, run, slots = gated.reasons, gated.details, gated.candidates, gated.slots
    clusters: dict[str, list[str | None]] = {k: [None] * len(v) for k, v in reasons.items()}
    sizes: dict[str, list[int | None]] = {k: [None] * len(v) for k, v in reasons.items()}
    chrome, started = _step(gated.steps, "boilerplate"), time.thread_time()
    chrome.docs_in += len(run)
    boilerplate = boilerplate_keys(cfg, gated, published or [])
    staged_texts = StagedTexts()
    overrides = _without_boilerplate(cfg, run, slots, gated.edge_keys, gated.edge_owner, boilerplate, staged_texts)
    pool = gated.followers
    followers = pool.candidates(run.signatures is not None)
    _without_boilerplate(cfg, followers, pool.slots, pool.edge_keys, pool.edge_owner, boilerplate, staged_texts)
    chrome.docs_out += len(run)
    chrome.cpu_s += time.thread_time() - started
    # rows a rule rejected meet the published corpus too: a rejected copy names the published document it copies
    matches = _published_matches(cfg, [run, followers], published or [])
    everything = concat([run, *(m.candidates(priority=-1) for m in matches), followers])
    leading = len(everything) - len(followers)  # this run's candidates and the published matches
    near = (
        NearSettings(
            dedup.bands,
            dedup.rows,
            dedup.threshold,
            dedup.ngram,
            dedup.verify_margin,
            dedup.containment,
            dedup.containment_min_chars,
        )
        if run.signatures is not None
        else None
    )
    dedup_step, started = _step(gated.steps, "dedup"), time.thread_time()
    dedup_step.docs_in += len(run)
    chrome_set = frozenset(boilerplate.tolist())
    result = cluster(
        everything,
        near,
        lambda idx: _texts(slots, matches, idx, staged_texts, pool.slots),
        dedup.keep,
        pairs_of,
        boilerplate=chrome_set,
        workers=cfg.corpus.workers,
    )
    n_run = len(run)
    for i, (sc, row) in enumerate(slots):
        key, rep = sc.key, int(result.representative[i])
        clusters[key][row], sizes[key][row] = everything.ids[rep], int(result.size[i])
        if rep == i:
            continue
        where = f" already published in {_owner(matches, rep - n_run).release}" if rep >= n_run else ""
        if result.exact[i]:
            reasons[key][row] = "exact_duplicate"
            details[key][row] = f"same hashing view as {everything.ids[rep]}{where}"
        else:
            reasons[key][row] = "near_duplicate"
            partial = f" or containment >= {dedup.containment}" if dedup.containment is not None else ""
            details[key][row] = (
                f"near-duplicate of {everything.ids[rep]}{where} (Jaccard >= {dedup.threshold}{partial})"
            )
    for k, (sc, row) in enumerate(pool.slots):  # rejected already: only their cluster is told
        i = leading + k
        clusters[sc.key][row], sizes[sc.key][row] = everything.ids[int(result.representative[i])], int(result.size[i])
    dedup_step.docs_out += int(np.count_nonzero(result.representative[:n_run] == np.arange(n_run)))
    dedup_step.cpu_s += time.thread_time() - started
    audit = cluster_audit(
        everything,
        _leading(result, leading),
        [sc.agency for sc, _ in slots],
        lambda idx: _texts(slots, matches, idx, staged_texts),
        chrome_set,
        dedup.ngram,
    )
    removed, counts = _remove(
        cfg, removals or Ledger([]), tombstones or ([], None, []), gated, clusters, staged_files, pairs_of
    )
    cross = _cross_agency(slots, result.representative[:n_run], result.size[:n_run])
    stats = {
        "cross_agency_clusters": cross.pop("*", 0),
        "candidates": n_run,
        "candidate_pairs": result.candidate_pairs,
        "checked_exactly": result.checked_exactly,
        "published_matches": leading - n_run,
        "removed_as_published_copies": int(np.count_nonzero(result.representative[:n_run] >= n_run)),
        "boilerplate_lines": len(boilerplate),
        "documents_with_boilerplate": sum(len(rows) for rows in overrides.values()),
        "removed_by_request": sum(1 for rows in reasons.values() for r in rows if r == REMOVED),
        "rejected_in_clusters": int(np.count_nonzero(result.size[leading:] > 1)),
    }
    ledger = removals or Ledger([])
    removal_rows = [
        {
            "request": n + 1,
            "at": e.at,
            "reason": e.reason,
            "requested_by": e.requested_by,
            "matches": e.kind(),
            "documents": counts.get(n, 0),
        }
        for n, e in enumerate(ledger.entries)
    ]
    return Decisions(
        reasons,
        details,
        clusters,
        sizes,
        gated.licences,
        stats,
        cross,
        gated.withhold,
        gated.steps,
        boilerplate,
        overrides,
        audit,
        removed,
        removal_rows,
    )


Tombstones = tuple[list[str], np.ndarray | None, list[int]]  # removals.read_tombstones


def _remove(
    cfg: LoadedConfig,
    ledger: Ledger,
    tombstones: Tombstones,
    gated: _Gated,
    clusters: dict[str, list[str | None]],
    staged_files: list[StagedResource],
    pairs_of: PairsOf,
) -> tuple[list[tuple[str, bytes | None, int]], Counter[int]]:
    """Apply the removal ledger and the tombstones of earlier removals: matched rows, and every row of their
    duplicate clusters, become `removed` with their text withheld. Returns the tombstones the new release
    keeps (the earlier ones and this run's removed candidates) and the rows removed per ledger entry."""
    counts: Counter[int] = Counter()
    reasons, details, withhold, run, slots = gated.reasons, gated.details, gated.withhold, gated.candidates, gated.slots
    hit: dict[str, dict[int, int]] = {}
    if ledger.entries:
        columns = ["id", "hash_key", "text", "title"] if ledger.needs_text else ["id", "hash_key"]
        for sc in staged_files:
            t = read_staged(sc, columns).to_pydict()
            texts, titles = t.get("text", [None] * len(t["id"])), t.get("title", [None] * len(t["id"]))
            for row, doc_id in enumerate(t["id"]):
                n = ledger.entry_for(
                    doc_id, sc.dataset_id, sc.resource_url, texts[row], titles[row], t["hash_key"][row] or ""
                )
                if n is not None:
                    hit.setdefault(sc.key, {})[row] = n
    for i, n in _tombstone_hits(cfg, run, tombstones, pairs_of).items():
        sc, row = slots[i]
        hit.setdefault(sc.key, {}).setdefault(row, n)
    kept = [(k, s.tobytes() if s is not None else None, n) for k, s, n in _rows_of(tombstones)]
    if not hit:
        return kept, counts
    request_of_cluster: dict[str, int] = {}
    for key, rows in hit.items():
        for row, n in rows.items():
            cluster_id = clusters[key][row]
            if cluster_id is not None:
                request_of_cluster.setdefault(cluster_id, n)
    slot_of = {(sc.key, row): i for i, (sc, row) in enumerate(slots)}
    for sc in staged_files:
        key = sc.key
        for row in range(len(reasons[key])):
            n = hit.get(key, {}).get(row)
            note = ""
            if n is None and clusters[key][row] in request_of_cluster:
                n, note = request_of_cluster[clusters[key][row]], " (in the duplicate cluster of a removed document)"
            if n is None:
                continue
            reasons[key][row], details[key][row] = REMOVED, ledger_detail(ledger, n) + note
            withhold[key][row] = True
            counts[n] += 1
            i = slot_of.get((key, row))
            if i is not None:
                signature = run.signatures[i].tobytes() if run.signatures is not None else None
                kept.append((run.hash_keys[i], signature, n))
    return kept, counts


def ledger_detail(ledger: Ledger, n: int) -> str:
    return ledger.describe(n) if n < len(ledger.entries) else f"removal request {n + 1} (a removed document's copy)"


def _rows_of(tombstones: Tombstones) -> list[tuple[str, np.ndarray | None, int]]:
    keys, signatures, requests = tombstones
    return [(k, signatures[i] if signatures is not None else None, requests[i]) for i, k in enumerate(keys)]


def _tombstone_hits(cfg: LoadedConfig, run: Candidates, tombstones: Tombstones, pairs_of: PairsOf) -> dict[int, int]:
    """Run candidates equal to a removed document (same dedup key) or near it: the removed text is gone, so the
    signatures' estimated Jaccard decides, erring on the side of the request (at least the threshold less the
    verification margin, where near pairs are otherwise checked on their text): candidate -> request."""
    keys, signatures, requests = tombstones
    if not keys:
        return {}
    dedup = cfg.corpus.dedup
    by_key = dict(zip(keys, requests, strict=True))
    found = {i: by_key[k] for i, k in enumerate(run.hash_keys) if k in by_key}
    if signatures is None or run.signatures is None or not dedup.near or not len(run.hash_keys):
        return found
    n = len(run.hash_keys)
    both = np.concatenate([run.signatures, signatures.astype(run.signatures.dtype)])
    pairs = pairs_of(band_keys(both, dedup.bands, dedup.rows))
    pairs = pairs[(pairs[:, 0] < n) != (pairs[:, 1] < n)]
    for a, b in pairs.tolist():
        mine, tomb = (a, b - n) if a < n else (b, a - n)
        if float(np.mean(both[a] == both[b])) >= dedup.threshold - dedup.verify_margin:
            found.setdefault(mine, requests[tomb])
    return found


def boilerplate_keys(cfg: LoadedConfig, gated: _Gated, published: list[PublishedIndex]) -> np.ndarray:
    """Sorted keys of the lines that edge enough of this run's documents, and those already boilerplate in the
    corpora deduplicated against."""
    dedup = cfg.corpus.dedup
    if dedup.boilerplate_min_docs <= 0:
        return np.empty(0, dtype=np.uint64)
    owners = len(gated.candidates)
    least = max(dedup.boilerplate_min_docs, int(np.ceil(dedup.boilerplate_min_share * owners)))
    found = [frequent(gated.edge_keys, least), *(index.boilerplate() for index in published)]
    return distinct(np.concatenate(found).astype(np.uint64))


def _without_boilerplate(
    cfg: LoadedConfig,
    run: Candidates,
    slots: list[tuple[StagedResource, int]],
    edge_keys: np.ndarray,
    edge_owner: np.ndarray,
    boilerplate: np.ndarray,
    staged_texts: StagedTexts,
) -> dict[str, dict[int, Rekeyed]]:
    """Hashing view, keys and signature of every candidate in `run` that has boilerplate lines, again without
    them (in place); returned per staged file and row, so the published index records what dedup compared."""
    if not len(boilerplate) or not len(edge_keys):
        return {}
    affected = weighing(edge_keys, edge_owner, boilerplate, run.view_len).tolist()
    if not affected:
        return {}
    chrome = frozenset(boilerplate.tolist())
    by_file: dict[str, list[int]] = {}
    for c in affected:
        by_file.setdefault(slots[c][0].staged, []).append(c)
    dedup = cfg.corpus.dedup
    out: dict[str, dict[int, Rekeyed]] = {}
    hash_keys = list(run.hash_keys)
    redone: list[tuple[int, str]] = []  # (candidate, view without boilerplate), REDO_BATCH at a time

    def redo() -> None:
        views = [view for _, view in redone]
        sigs = (
            signature_matrix(views, num_perm=dedup.num_perm, ngram=dedup.ngram, seed=dedup.seed)
            if run.signatures is not None
            else None
        )
        for k, ((c, _), view) in enumerate(zip(redone, views, strict=True)):
            sc, row = slots[c]
            key = key_of_view(view) if dedup.exact else hash_keys[c]
            hash_keys[c] = key
            run.view_len[c], run.prefix_keys[c] = len(view), prefix_key(view)
            signature = None
            if sigs is not None and run.signatures is not None:
                run.signatures[c] = sigs[k]
                signature = sigs[k].astype("<u4").tobytes()
            out.setdefault(sc.key, {})[row] = Rekeyed(key, signature, len(view))
        redone.clear()

    for path, members in by_file.items():
        for start in range(0, len(members), REDO_BATCH):  # texts, views and shingles of a batch at a time
            batch = members[start : start + REDO_BATCH]
            sources = staged_texts.sources(path, [slots[c][1] for c in batch])
            for c, (text, views) in zip(batch, sources, strict=True):
                rest = stripped_view(text, chrome, views)
                if rest is not None:
                    redone.append((c, rest))
            if len(redone) >= REDO_BATCH:
                redo()
    if redone:
        redo()
    if out:
        run.hash_keys = hash_keys
    return out


def _leading(result: Clusters, n: int) -> Clusters:
    """The clusters of the first `n` documents alone: those that follow come last and lead no cluster."""
    return Clusters(result.representative[:n], result.size[:n], result.exact[:n], result.candidate_pairs,
                    result.checked_exactly)  # fmt: skip


def _cross_agency(slots: list[tuple[StagedResource, int]], reps: np.ndarray, sizes: np.ndarray) -> dict[str, int]:
    """Duplicate clusters whose members come from more than one agency: per dataset ("source/dataset_id")
    the number of such clusters it has a member in, and their total under "*"."""
    agencies: dict[int, set[str]] = {}
    datasets: dict[int, set[str]] = {}
    for i, (sc, _row) in enumerate(slots):
        if sizes[i] > 1:
            rep = int(reps[i])
            agencies.setdefault(rep, set()).add(sc.agency or "")
            datasets.setdefault(rep, set()).add(f"{sc.source}/{sc.dataset_id}")
    out: dict[str, int] = {}
    for rep, names in agencies.items():
        if len(names) > 1:
            out["*"] = out.get("*", 0) + 1
            for d in datasets[rep]:
                out[d] = out.get(d, 0) + 1
    return out


def _published_matches(
    cfg: LoadedConfig, parts: Sequence[Candidates], indexes: list[PublishedIndex]
) -> list[PublishedMatches]:
    """Per index, its documents sharing a band or an exact key with any of `parts` (this run's documents and those
    a rule rejected), looked up part by part: their band keys are never joined into one copy."""
    parts = [part for part in parts if len(part)]
    if not indexes or not parts:
        return []
    dedup = cfg.corpus.dedup
    queries = [
        (
            band_keys(part.signatures, dedup.bands, dedup.rows)
            if part.signatures is not None
            else np.empty(0, np.uint64),
            list(part.hash_keys),
        )
        for part in parts
    ]
    own = {doc_id for part in parts for doc_id in part.ids}
    found = []
    for index in indexes:
        numbers = reduce(np.union1d, [index.lookup(keys, hash_keys) for keys, hash_keys in queries])
        found.append(index.matches(numbers, own))
    return found


def _owner(matches: list[PublishedMatches], position: int) -> PublishedIndex:
    for m in matches:
        if position < len(m.numbers):
            return m.index
        position -= len(m.numbers)
    raise IndexError(position)


def _texts(
    slots: list[tuple[StagedResource, int]],
    matches: list[PublishedMatches],
    indices: list[int],
    staged_texts: StagedTexts,
    following: Sequence[tuple[StagedResource, int]] = (),
) -> dict[int, Source]:
    """Text of the given candidates: this run's (and those `following`, after the published matches) from
    their staged files (with their line views), published ones from their shards."""
    out: dict[int, Source] = {}
    offset = len(slots)
    for m in matches:
        mine = [i - offset for i in indices if offset <= i < offset + len(m.numbers)]
        out.update({offset + p: t for p, t in m.texts(mine).items()} if mine else {})
        offset += len(m.numbers)
    by_file: dict[str, list[tuple[int, int]]] = {}
    for idx in indices:
        if idx < len(slots):
            by_file.setdefault(slots[idx][0].staged, []).append((idx, slots[idx][1]))
        elif idx >= offset:
            sc, row = following[idx - offset]
            by_file.setdefault(sc.staged, []).append((idx, row))
    for path, wanted in by_file.items():
        sources = staged_texts.sources(path, [row for _, row in wanted])
        out.update(zip([idx for idx, _ in wanted], sources, strict=True))
    return out


def index_settings(cfg: LoadedConfig) -> dict[str, Any]:
    d = cfg.corpus.dedup
    return settings_of(d.num_perm, d.ngram, d.seed, d.bands, d.rows)


def open_published(cfg: LoadedConfig) -> list[PublishedIndex]:
    """The dedup indexes of the corpora named in `dedup.against`, checked against this run's settings."""
    out = []
    own = Path(cfg.corpus.output_dir).resolve()
    for name in cfg.corpus.dedup.against:
        release = cfg.resolve_input(name).resolve()
        if release == own:
            raise DedupIndexError(
                f"{cfg.path}: dedup.against names this run's own output folder {release}; name an earlier release"
            )
        index = PublishedIndex(release)
        index.check(index_settings(cfg))
        out.append(index)
    return out
