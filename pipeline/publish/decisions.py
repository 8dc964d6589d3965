"""Stage 5a: what happens to every staged row -- the licence gate, then exact and near-duplicate clusters.

A denied copy never wins a cluster because the gate runs first; documents of an earlier published corpus
(`dedup.against`) join the clustering and always win. The result is a reason (None = publish), a detail, a
cluster and its size per row, and whether the row's text may travel in rejected/.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.feather as feather

from pipeline.config import LoadedConfig
from pipeline.dedup.cluster import NO_DATE, Candidates, NearSettings, cluster, concat
from pipeline.dedup.hashing import hashing_view
from pipeline.dedup.index import DedupIndexError, PublishedIndex, PublishedMatches, settings_of
from pipeline.dedup.lsh import band_keys, candidate_pairs
from pipeline.dedup.minhash import as_matrix

PairsOf = Callable[[np.ndarray], np.ndarray]  # [n, bands] band keys -> candidate pairs (lsh.candidate_pairs)
_GATE_REASON = {"deny": "license_denied", "review": "license_review"}


@dataclass
class Decisions:
    """Per staged file, aligned with its rows: final reason (None = publish), cluster and cluster size."""

    reasons: dict[str, list[str | None]]
    details: dict[str, list[str | None]]
    clusters: dict[str, list[str | None]]
    sizes: dict[str, list[int | None]]
    stats: dict[str, int] = field(default_factory=dict)
    cross_agency: dict[str, int] = field(default_factory=dict)  # "source/dataset_id" -> clusters spanning agencies
    withhold: dict[str, list[bool]] = field(default_factory=dict)  # text not to be redistributed in rejected/


def read_staged(sidecar: dict[str, Any], columns: list[str] | None = None) -> pa.Table:
    return feather.read_table(sidecar["staged"], columns=columns)


_DEDUP_COLUMNS = ["id", "reason", "license", "hash_key", "title_key", "n_chars", "minhash", "modified_at"]


@dataclass
class _Gated:
    """The licence gate's verdict per staged file and row, and the rows left for dedup."""

    reasons: dict[str, list[str | None]]
    details: dict[str, list[str | None]]
    withhold: dict[str, list[bool]]  # the licence is not `allow`: the text stays out of rejected/ too
    candidates: Candidates
    slots: list[tuple[dict[str, Any], int]]  # per candidate: its sidecar and row


def _gather(cfg: LoadedConfig, sidecars: list[dict[str, Any]]) -> _Gated:
    """Licence-gate every staged row; the rows still in the running become dedup candidates."""
    details: dict[str, list[str | None]] = {}
    withhold: dict[str, list[bool]] = {}
    table, overrides = cfg.license_table(), cfg.corpus.licenses
    dedup = cfg.corpus.dedup
    reasons: dict[str, list[str | None]] = {}
    cols: dict[str, list[Any]] = {name: [] for name in ("id", "key", "title", "priority", "n_chars", "date")}
    signature_parts: list[np.ndarray] = []  # per staged file: [candidates, num_perm] (no Python bytes per row)
    signed = dedup.near
    slots: list[tuple[dict[str, Any], int]] = []
    for sc in sidecars:
        staged = read_staged(sc, _DEDUP_COLUMNS)
        dates = staged["modified_at"].cast(pa.int64()).to_pylist()
        t = staged.drop_columns(["minhash"]).to_pydict()
        chosen: list[int] = []
        source_priority = cfg.corpus.sources[sc["source_index"]].priority
        row_reasons: list[str | None] = []
        row_details: list[str | None] = []
        withhold[sc["key"]] = []
        for i, (reason, lic, key) in enumerate(zip(t["reason"], t["license"], t["hash_key"], strict=True)):
            policy = table.policy(lic, overrides)
            withhold[sc["key"]].append(policy != "allow")
            said = None
            if reason is None:
                reason = _GATE_REASON.get(policy)
                said = f"licence {lic or 'not stated'}: policy {policy}" if reason else None
            row_reasons.append(reason)
            row_details.append(said)
            if reason is None and key is not None:
                cols["id"].append(t["id"][i])
                # With exact dedup off, a document's own id stands in for its key: nothing is equal.
                cols["key"].append(key if dedup.exact else t["id"][i])
                cols["title"].append(t["title_key"][i])
                cols["priority"].append(source_priority)
                cols["n_chars"].append(t["n_chars"][i] or 0)
                cols["date"].append(NO_DATE if dates[i] is None else dates[i])
                slots.append((sc, i))
                chosen.append(i)
        if signed and chosen:
            blobs = staged["minhash"].take(chosen).to_pylist()
            signed = all(blobs)
            signature_parts.append(as_matrix(blobs, dedup.num_perm))
        reasons[sc["key"]] = row_reasons
        details[sc["key"]] = row_details
    candidates = Candidates(
        ids=cols["id"],
        hash_keys=cols["key"],
        title_keys=cols["title"],
        priority=np.asarray(cols["priority"], dtype=np.int64),
        n_chars=np.asarray(cols["n_chars"], dtype=np.int64),
        signatures=_stacked(signature_parts, dedup.num_perm) if signed else None,
        dates=np.asarray(cols["date"], dtype=np.int64),
    )
    return _Gated(reasons, details, withhold, candidates, slots)


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
    sidecars: list[dict[str, Any]],
    published: list[PublishedIndex] | None = None,
    pairs_of: PairsOf = candidate_pairs,
) -> Decisions:
    """Licence gate first (so a denied copy never wins a cluster), then dedup over what remains.

    Documents of the `published` corpora that share a bucket or an exact key with this run's documents join
    the clustering and always win: a copy of something already published is removed, not the original.
    """
    dedup = cfg.corpus.dedup
    gated = _gather(cfg, sidecars)
    reasons, details, run, slots = gated.reasons, gated.details, gated.candidates, gated.slots
    clusters: dict[str, list[str | None]] = {k: [None] * len(v) for k, v in reasons.items()}
    sizes: dict[str, list[int | None]] = {k: [None] * len(v) for k, v in reasons.items()}
    matches = _published_matches(cfg, run, published or [])
    everything = concat([run, *(m.candidates(priority=-1) for m in matches)])
    near = (
        NearSettings(dedup.bands, dedup.rows, dedup.threshold, dedup.ngram, dedup.verify_margin)
        if run.signatures is not None
        else None
    )
    result = cluster(everything, near, lambda idx: _views(slots, matches, idx), dedup.keep, pairs_of)
    n_run = len(run)
    for i, (sc, row) in enumerate(slots):
        key, rep = sc["key"], int(result.representative[i])
        clusters[key][row], sizes[key][row] = everything.ids[rep], int(result.size[i])
        if rep == i:
            continue
        where = f" already published in {_owner(matches, rep - n_run).release}" if rep >= n_run else ""
        if result.exact[i]:
            reasons[key][row] = "exact_duplicate"
            details[key][row] = f"same hashing view as {everything.ids[rep]}{where}"
        else:
            reasons[key][row] = "near_duplicate"
            details[key][row] = (
                f"near-duplicate of {everything.ids[rep]}{where} (MinHash LSH, Jaccard >= {dedup.threshold})"
            )
    cross = _cross_agency(slots, result.representative[:n_run], result.size[:n_run])
    stats = {
        "cross_agency_clusters": cross.pop("*", 0),
        "candidates": n_run,
        "candidate_pairs": result.candidate_pairs,
        "checked_exactly": result.checked_exactly,
        "published_matches": len(everything) - n_run,
        "removed_as_published_copies": int(np.count_nonzero(result.representative[:n_run] >= n_run)),
    }
    return Decisions(reasons, details, clusters, sizes, stats, cross, gated.withhold)


def _cross_agency(slots: list[tuple[dict[str, Any], int]], reps: np.ndarray, sizes: np.ndarray) -> dict[str, int]:
    """Duplicate clusters whose members come from more than one agency: per dataset ("source/dataset_id")
    the number of such clusters it has a member in, and their total under "*"."""
    agencies: dict[int, set[str]] = {}
    datasets: dict[int, set[str]] = {}
    for i, (sc, _row) in enumerate(slots):
        if sizes[i] > 1:
            rep = int(reps[i])
            agencies.setdefault(rep, set()).add(sc["agency"] or "")
            datasets.setdefault(rep, set()).add(f"{sc['source']}/{sc['dataset_id']}")
    out: dict[str, int] = {}
    for rep, names in agencies.items():
        if len(names) > 1:
            out["*"] = out.get("*", 0) + 1
            for d in datasets[rep]:
                out[d] = out.get(d, 0) + 1
    return out


def _published_matches(cfg: LoadedConfig, run: Candidates, indexes: list[PublishedIndex]) -> list[PublishedMatches]:
    if not indexes or not len(run):
        return []
    dedup = cfg.corpus.dedup
    keys = band_keys(run.signatures, dedup.bands, dedup.rows) if run.signatures is not None else np.empty(0, np.uint64)
    own = set(run.ids)
    return [index.match(keys, list(run.hash_keys), own) for index in indexes]


def _owner(matches: list[PublishedMatches], position: int) -> PublishedIndex:
    for m in matches:
        if position < len(m.numbers):
            return m.index
        position -= len(m.numbers)
    raise IndexError(position)


def _views(
    slots: list[tuple[dict[str, Any], int]], matches: list[PublishedMatches], indices: list[int]
) -> dict[int, str]:
    """Hashing views of the given candidates: this run's from the staged text column of the files involved,
    published ones from their release's shards."""
    by_file: dict[str, list[tuple[int, int]]] = {}
    out: dict[int, str] = {}
    offset, pending = len(slots), [i for i in indices if i >= len(slots)]
    for m in matches:
        mine = [i - offset for i in pending if offset <= i < offset + len(m.numbers)]
        out.update({offset + p: v for p, v in m.views(mine).items()} if mine else {})
        offset += len(m.numbers)
    for idx in indices:
        if idx < len(slots):
            sc, row = slots[idx]
            by_file.setdefault(sc["staged"], []).append((idx, row))
    for path, wanted in by_file.items():
        texts = feather.read_table(path, columns=["text"])["text"]
        for idx, row in wanted:
            out[idx] = hashing_view(texts[row].as_py() or "")
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
