"""Stage 5: licence gate + dedup decisions -> Parquet shards, rejected table, dataset card, NOTICE, manifest.

The release is assembled in a hidden sibling folder and swapped in with renames, so readers never see half
a corpus; a crash between the two renames is repaired at the start of the next publish.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.feather as feather
import pyarrow.parquet as pq

from pipeline.atomic import atomic_write_bytes, sha256_file
from pipeline.card import render_card, render_notice
from pipeline.config import LoadedConfig
from pipeline.dedup.cluster import NO_DATE, Candidates, NearSettings, cluster, concat
from pipeline.dedup.index import FOLDER as INDEX_FOLDER
from pipeline.dedup.index import DedupIndexError, IndexWriter, PublishedIndex, PublishedMatches, settings_of
from pipeline.dedup.lsh import band_keys
from pipeline.dedup.minhash import as_matrix
from pipeline.document import DOCUMENT_SCHEMA, REJECTED_SCHEMA
from pipeline.licensing import LicenseTable
from pipeline.normalize.hashing import hashing_view
from pipeline.paths import RunContext
from pipeline.report.diff import release_diff

_GATE_REASON = {"deny": "license_denied", "review": "license_review"}
WITHHELD = "; text withheld: its licence does not allow redistributing it (see resource_url)"


@dataclass
class ResourceTally:
    """Accounting for one resource: records read = published + sum(rejected)."""

    records_read: int = 0
    published: int = 0
    rejected: Counter[str] = field(default_factory=Counter)
    chars: int = 0
    tokens: int = 0


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


def _staged(sidecar: dict[str, Any], columns: list[str] | None = None) -> pa.Table:
    return feather.read_table(sidecar["staged"], columns=columns)


_DEDUP_COLUMNS = ["id", "reason", "license", "hash_key", "title_key", "n_chars", "minhash", "modified_at"]


def _gather(
    cfg: LoadedConfig, sidecars: list[dict[str, Any]]
) -> tuple[dict[str, list[str | None]], tuple[dict[tuple[str, int], str], dict[str, list[bool]]], Candidates, list]:
    """Licence-gate every staged row; the rows still in the running become dedup candidates.

    Returns the reasons per staged file; what the gate said per (file, row) it stopped and, per file and row,
    whether the text must be withheld from rejected/ (its licence is not `allow`); the candidates; and, per
    candidate, its (sidecar, row) slot.
    """
    gate_details: dict[tuple[str, int], str] = {}
    withhold: dict[str, list[bool]] = {}
    table, overrides = cfg.license_table(), cfg.corpus.licenses
    dedup = cfg.corpus.dedup
    reasons: dict[str, list[str | None]] = {}
    cols: dict[str, list[Any]] = {name: [] for name in ("id", "key", "title", "priority", "n_chars", "sig", "date")}
    slots: list[tuple[dict[str, Any], int]] = []
    for sc in sidecars:
        staged = _staged(sc, _DEDUP_COLUMNS)
        dates = staged["modified_at"].cast(pa.int64()).to_pylist()
        t = staged.to_pydict()
        source_priority = cfg.corpus.sources[sc["source_index"]].priority
        row_reasons: list[str | None] = []
        withhold[sc["key"]] = []
        for i, (reason, lic, key) in enumerate(zip(t["reason"], t["license"], t["hash_key"], strict=True)):
            policy = table.policy(lic, overrides)
            withhold[sc["key"]].append(policy != "allow")
            if reason is None:
                reason = _GATE_REASON.get(policy)
                if reason is not None:
                    gate_details[(sc["key"], i)] = f"licence {lic or 'not stated'}: policy {policy}"
            row_reasons.append(reason)
            if reason is None and key is not None:
                cols["id"].append(t["id"][i])
                # With exact dedup off, a document's own id stands in for its key: nothing is equal.
                cols["key"].append(key if dedup.exact else t["id"][i])
                cols["title"].append(t["title_key"][i])
                cols["priority"].append(source_priority)
                cols["n_chars"].append(t["n_chars"][i] or 0)
                cols["sig"].append(t["minhash"][i])
                cols["date"].append(NO_DATE if dates[i] is None else dates[i])
                slots.append((sc, i))
        reasons[sc["key"]] = row_reasons
    signed = dedup.near and all(cols["sig"])
    candidates = Candidates(
        ids=cols["id"],
        hash_keys=cols["key"],
        title_keys=cols["title"],
        priority=np.asarray(cols["priority"], dtype=np.int64),
        n_chars=np.asarray(cols["n_chars"], dtype=np.int64),
        signatures=as_matrix(cols["sig"], dedup.num_perm) if signed else None,
        dates=np.asarray(cols["date"], dtype=np.int64),
    )
    return reasons, (gate_details, withhold), candidates, slots


def decide(
    cfg: LoadedConfig, sidecars: list[dict[str, Any]], published: list[PublishedIndex] | None = None
) -> Decisions:
    """Licence gate first (so a denied copy never wins a cluster), then dedup over what remains.

    Documents of the `published` corpora that share a bucket or an exact key with this run's documents join
    the clustering and always win: a copy of something already published is removed, not the original.
    """
    dedup = cfg.corpus.dedup
    reasons, (gate_details, withhold), run, slots = _gather(cfg, sidecars)
    details: dict[str, list[str | None]] = {k: [None] * len(v) for k, v in reasons.items()}
    for (key, row), said in gate_details.items():
        details[key][row] = said
    clusters: dict[str, list[str | None]] = {k: [None] * len(v) for k, v in reasons.items()}
    sizes: dict[str, list[int | None]] = {k: [None] * len(v) for k, v in reasons.items()}
    matches = _published_matches(cfg, run, published or [])
    everything = concat([run, *(m.candidates(priority=-1) for m in matches)])
    near = (
        NearSettings(dedup.bands, dedup.rows, dedup.threshold, dedup.ngram, dedup.verify_margin)
        if run.signatures is not None
        else None
    )
    result = cluster(everything, near, lambda idx: _views(slots, matches, idx), dedup.keep)
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
    return Decisions(reasons, details, clusters, sizes, stats, cross, withhold)


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


class _ShardWriter:
    """Writes rows into numbered shards of at most `rows` rows, in row groups of at most ROW_GROUP rows.

    Small tables are buffered so a folder of many small resources still makes a few large row groups.
    Files are renamed to -of-N names at close, when N is known.
    """

    ROW_GROUP = 10_000

    def __init__(self, folder: Path, prefix: str, schema: pa.Schema, rows: int, compression: str) -> None:
        self.folder, self.prefix, self.schema, self.rows = folder, prefix, schema, rows
        self.compression = None if compression == "none" else compression
        self.paths: list[Path] = []
        self.counts: list[int] = []
        self._writer: pq.ParquetWriter | None = None
        self._buffer: list[pa.Table] = []
        self._buffered = 0
        folder.mkdir(parents=True, exist_ok=True)

    def write(self, table: pa.Table) -> None:
        if table.num_rows:
            self._buffer.append(table)
            self._buffered += table.num_rows
        if self._buffered >= min(self.ROW_GROUP, self.rows):
            self._flush()

    def _flush(self) -> None:
        if not self._buffered:
            return
        table = pa.concat_tables(self._buffer)
        self._buffer, self._buffered = [], 0
        start = 0
        while start < table.num_rows:
            if self._writer is None or self.counts[-1] >= self.rows:
                self._open()
            take = min(self.rows - self.counts[-1], table.num_rows - start)
            assert self._writer is not None
            self._writer.write_table(table.slice(start, take), row_group_size=self.ROW_GROUP)
            self.counts[-1] += take
            start += take

    def _open(self) -> None:
        if self._writer is not None:
            self._writer.close()
        path = self.folder / f"{self.prefix}-{len(self.paths):05d}.parquet"
        self._writer = pq.ParquetWriter(path, self.schema, compression=self.compression)
        self.paths.append(path)
        self.counts.append(0)

    def close(self) -> list[tuple[Path, int]]:
        self._flush()
        if self._writer is not None:
            self._writer.close()
        total = len(self.paths)
        final: list[tuple[Path, int]] = []
        for i, (path, count) in enumerate(zip(self.paths, self.counts, strict=True)):
            dest = path.with_name(f"{self.prefix}-{i:05d}-of-{total:05d}.parquet")
            path.rename(dest)
            final.append((dest, count))
        return final


class _PartitionedWriter:
    """Shards under data/<licence class>/<source>/, so the dataset card can declare a config per licence class
    and per source that `load_dataset(folder, name)` reads by path."""

    def __init__(self, folder: Path, rows: int, compression: str) -> None:
        self.folder, self.rows, self.compression = folder, rows, compression
        self.writers: dict[tuple[str, str], _ShardWriter] = {}

    def write(self, table: pa.Table, license_class: str, source: str) -> None:
        key = (license_class, source)
        if key not in self.writers:
            folder = self.folder / license_class / source
            self.writers[key] = _ShardWriter(folder, "train", DOCUMENT_SCHEMA, self.rows, self.compression)
        self.writers[key].write(table)

    def close(self) -> list[tuple[Path, int]]:
        return [shard for key in sorted(self.writers) for shard in self.writers[key].close()]


def content_digest(table: pa.Table) -> str:
    """Hash of the rows without run-specific columns: equal for two runs that publish the same corpus."""
    cols = [c for c in table.column_names if c != "run_id"]
    h = hashlib.sha256()
    for batch in table.select(cols).to_batches(max_chunksize=4096):
        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, batch.schema) as w:
            w.write_batch(batch)
        h.update(sink.getvalue().to_pybytes())
    return h.hexdigest()


def recover(output_dir: Path) -> None:
    """Undo a swap interrupted between its two renames; drop abandoned temp releases."""
    parent, name = output_dir.parent, output_dir.name
    if not parent.exists():
        return
    olds = sorted(parent.glob(f".{name}.old-*"))
    if olds and not output_dir.exists():
        olds[-1].rename(output_dir)
        olds = olds[:-1]
    for stale in olds + sorted(parent.glob(f".{name}.tmp-*")):
        shutil.rmtree(stale, ignore_errors=True)


def _swap_in(tmp: Path, output_dir: Path, run_id: str) -> None:
    old = output_dir.parent / f".{output_dir.name}.old-{run_id}"
    if output_dir.exists():
        os.rename(output_dir, old)
    os.rename(tmp, output_dir)
    shutil.rmtree(old, ignore_errors=True)


def _split(table: pa.Table, decisions: Decisions, key: str, run_id: str) -> tuple[pa.Table, pa.Table]:
    """Apply the final decisions to one staged table: (published rows, rejected rows)."""
    n = table.num_rows
    reasons, clusters, sizes = decisions.reasons[key], decisions.clusters[key], decisions.sizes[key]
    details = [
        d if d is not None else old
        for d, old in zip(decisions.details[key], table["reason_detail"].to_pylist(), strict=True)
    ]
    table = table.set_column(table.schema.get_field_index("reason"), "reason", pa.array(reasons, pa.string()))
    table = table.set_column(
        table.schema.get_field_index("reason_detail"), "reason_detail", pa.array(details, pa.string())
    )
    table = table.set_column(
        table.schema.get_field_index("dup_cluster"), "dup_cluster", pa.array(clusters, pa.string())
    )
    table = table.set_column(table.schema.get_field_index("dup_count"), "dup_count", pa.array(sizes, pa.int32()))
    table = table.set_column(table.schema.get_field_index("run_id"), "run_id", pa.array([run_id] * n, pa.string()))
    gated = pa.array(decisions.withhold.get(key, [False] * n), pa.bool_())
    if pc.any(gated).as_py():
        # The rejected table travels with the corpus: text whose licence does not allow (or is not known to
        # allow) redistributing an adaptation of it is withheld, whatever the row's reason; its provenance stays
        # for the maintainer. (Published rows are allowed by definition.)
        text_index = table.schema.get_field_index("text")
        table = table.set_column(text_index, "text", pc.if_else(gated, pa.scalar(None, pa.string()), table["text"]))
        withheld = pc.if_else(
            gated,
            pc.binary_join_element_wise(
                pc.coalesce(table["reason_detail"], pa.scalar("licence gate")), pa.scalar(WITHHELD), ""
            ),
            table["reason_detail"],
        )
        table = table.set_column(table.schema.get_field_index("reason_detail"), "reason_detail", withheld)
    keep = pc.is_null(table["reason"])
    published = table.filter(keep).select(DOCUMENT_SCHEMA.names).cast(DOCUMENT_SCHEMA)
    rejected = table.filter(pc.invert(keep)).select(REJECTED_SCHEMA.names).cast(REJECTED_SCHEMA)
    return published, rejected


def _tally(table: pa.Table, reasons: list[str | None]) -> ResourceTally:
    t = ResourceTally(records_read=table.num_rows)
    chars = table["n_chars"].to_pylist()
    tokens = table["n_tokens"].to_pylist()
    for reason, c, k in zip(reasons, chars, tokens, strict=True):
        if reason is None:
            t.published += 1
            t.chars += c or 0
            t.tokens += k or 0
        else:
            t.rejected[reason] += 1
    return t


def input_digest(
    cfg: LoadedConfig,
    ctx: RunContext,
    sidecars: list[dict[str, Any]],
    published: list[PublishedIndex] | None = None,
    out: Path | None = None,
) -> str:
    """Everything a release depends on: the staged files (their keys cover bytes and extraction settings),
    the publish-time settings, the published corpora deduplicated against, the output folder and the version."""
    corpus = cfg.corpus
    blob = json.dumps(
        {
            "staged": [sc["key"] for sc in sidecars],
            "against": [index.digest() for index in published or []],
            "license_table": cfg.license_table().digest,
            "priorities": [s.priority for s in corpus.sources],
            "settings": corpus.model_dump(mode="json", include={"licenses", "dedup", "publish"}),
            "output": str(out or ctx.paths.output_dir),
            "version": ctx.pipeline_version,
        },
        sort_keys=True,
    )
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def _release_state(ctx: RunContext, out: Path) -> Path:
    """One state file per release folder (the public corpus and the restricted one)."""
    name = "release.json" if out == ctx.paths.output_dir else f"release-{out.name}.json"
    return ctx.paths.state_dir / name


def _unchanged_release(ctx: RunContext, digest: str, out: Path) -> dict[str, Any] | None:
    """The manifest of the release in place, when it was built from exactly these inputs and is intact."""
    state_path, manifest_path = _release_state(ctx, out), out / "manifest.json"
    if not state_path.exists() or not manifest_path.exists():
        return None
    state = json.loads(state_path.read_text(encoding="utf-8"))
    current = json.loads(manifest_path.read_text(encoding="utf-8"))
    saved = state.get("manifest", {})
    if state.get("input_digest") != digest or current.get("run_id") != saved.get("run_id"):
        return None
    for entry in current["shards"] + current["rejected_files"]:
        path = out / entry["path"]
        if not path.exists() or path.stat().st_size != entry["bytes"]:
            return None
    return {**saved, "reused_release": True}


def _remember_release(ctx: RunContext, digest: str, manifest: dict[str, Any], out: Path) -> None:
    state = {"input_digest": digest, "manifest": manifest}
    atomic_write_bytes(_release_state(ctx, out), json.dumps(state, ensure_ascii=False).encode("utf-8"))


def restricted_output_dir(cfg: LoadedConfig, ctx: RunContext) -> Path:
    name = cfg.corpus.restricted_output_dir
    return (
        Path(os.path.abspath(name))
        if name
        else ctx.paths.output_dir.with_name(ctx.paths.output_dir.name + "-restricted")
    )


def publish(cfg: LoadedConfig, ctx: RunContext, sidecars: list[dict[str, Any]]) -> dict[str, Any]:
    """Publish the public corpus and, when restricted sources have documents, the restricted one beside it.

    The two never mix: each has its own shards, dedup, card, NOTICE, index and manifest. Returns the public
    manifest with every resource's tally and a summary of the restricted release under `restricted`.
    """
    public = [sc for sc in sidecars if not sc.get("restricted")]
    restricted = [sc for sc in sidecars if sc.get("restricted")]
    manifest = publish_release(cfg, ctx, public, ctx.paths.output_dir, open_published(cfg))
    if restricted:
        folder = restricted_output_dir(cfg, ctx)
        other = publish_release(cfg, ctx, restricted, folder, [])
        manifest["tallies"].update(other["tallies"])
        manifest["restricted"] = {
            "output_dir": str(folder),
            "run_id": other["run_id"],
            "documents": other["documents"],
            "rejected": other["rejected"],
            "datasets": other["datasets"],
            "content_sha256": other["content_sha256"],
        }
    return manifest


def publish_release(
    cfg: LoadedConfig, ctx: RunContext, sidecars: list[dict[str, Any]], out: Path, against: list[PublishedIndex]
) -> dict[str, Any]:
    """Write one release into `out` and swap it in; returns the manifest (with per-resource tallies).

    When nothing it depends on changed since the release in place was written, that release is kept as it
    is (same files, same run_id) and its manifest returned: a re-run does not rewrite an identical corpus.
    """
    recover(out)
    digest = input_digest(cfg, ctx, sidecars, against, out)
    unchanged = _unchanged_release(ctx, digest, out)
    if unchanged is not None:
        return unchanged
    decisions = decide(cfg, sidecars, against)
    tmp = out.parent / f".{out.name}.tmp-{ctx.run_id}"
    shutil.rmtree(tmp, ignore_errors=True)
    pub = cfg.corpus.publish
    docs = _PartitionedWriter(tmp / "data", pub.shard_rows, pub.compression)
    table_of_licences = cfg.license_table()
    rejs = _ShardWriter(tmp / "rejected", "rejected", REJECTED_SCHEMA, pub.shard_rows, pub.compression)
    index = IndexWriter(tmp / INDEX_FOLDER, index_settings(cfg))
    tallies: dict[str, ResourceTally] = {}
    datasets: dict[tuple[str, str], dict[str, Any]] = {}
    content = hashlib.sha256()
    dataset_content: dict[tuple[str, str], Any] = {}
    document_agencies: dict[str, dict[str, int]] = {}
    for sc in sidecars:
        table = _staged(sc)
        key = sc["key"]
        published, rejected = _split(table, decisions, key, ctx.run_id)
        if published.num_rows:
            docs.write(published, table_of_licences.get(sc["license"]).license_class, sc["source"])
            rows_digest = content_digest(published).encode()
            content.update(rows_digest)
            dataset_content.setdefault((sc["source"], sc["dataset_id"]), hashlib.sha256()).update(rows_digest)
            _index_published(index, table, decisions.reasons[key])
        if rejected.num_rows:
            rejs.write(rejected)
        tallies[key] = _tally(table, decisions.reasons[key])
        _collect_datasets(datasets, published, sc["agency"])
        _collect_agencies(document_agencies, published)
    shards = docs.close()
    rejected_files = rejs.close()
    index.close()
    for k, h in dataset_content.items():
        datasets[k]["content_sha256"] = h.hexdigest()
    notice = render_notice(list(datasets.values()))
    (tmp / "NOTICE").write_text(notice, encoding="utf-8")
    manifest = {
        "run_id": ctx.run_id,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "pipeline_version": ctx.pipeline_version,
        "config": str(cfg.path),
        "config_digest": cfg.digest,
        "content_sha256": content.hexdigest(),
        "documents": sum(c for _, c in shards),
        "rejected": sum(c for _, c in rejected_files),
        "shards": [_file_entry(tmp, p, c) for p, c in shards],
        "rejected_files": [_file_entry(tmp, p, c) for p, c in rejected_files],
        "dedup_index": {
            **index_settings(cfg),
            "documents": index.rows,
            "files": [_file_entry(tmp, p, None) for p in sorted((tmp / INDEX_FOLDER).iterdir())],
        },
        "deduplicated_against": [str(i.release) for i in against],
        "dedup_stats": decisions.stats,
        "cross_agency_clusters": decisions.cross_agency,
        "document_agencies": dict(sorted(document_agencies.items())),
        "datasets": sorted(datasets.values(), key=lambda d: (d["agency"] or "", d["dataset_id"])),
    }
    manifest["licenses"] = _licence_summary(table_of_licences, manifest["datasets"])
    card = render_card(
        manifest,
        has_rejected=bool(rejected_files),
        licences=manifest["licenses"],
        dedup=cfg.corpus.dedup.model_dump(mode="json"),
        tokenizer=_tokenizer_name(cfg),
    )
    (tmp / "README.md").write_text(card, encoding="utf-8")
    manifest["diff"] = release_diff(_previous_manifest(out), manifest)
    (tmp / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    _swap_in(tmp, out, ctx.run_id)
    manifest["tallies"] = {k: _tally_dict(v) for k, v in tallies.items()}
    _remember_release(ctx, digest, manifest, out)
    return manifest


def _tally_dict(t: ResourceTally) -> dict[str, Any]:
    return {
        "records_read": t.records_read,
        "published": t.published,
        "rejected": dict(sorted(t.rejected.items())),
        "chars": t.chars,
        "tokens": t.tokens,
    }


def _file_entry(root: Path, path: Path, rows: int | None) -> dict[str, Any]:
    entry: dict[str, Any] = {"path": path.relative_to(root).as_posix()}
    if rows is not None:
        entry["rows"] = rows
    return {**entry, "bytes": path.stat().st_size, "sha256": sha256_file(path)}


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


def _index_published(index: IndexWriter, staged: pa.Table, reasons: list[str | None]) -> None:
    keep = pa.array([r is None for r in reasons])
    rows = staged.filter(keep).select(["id", "hash_key", "title_key", "n_chars", "minhash"]).to_pydict()
    index.add(rows["id"], rows["hash_key"], rows["title_key"], rows["n_chars"], rows["minhash"])


def _previous_manifest(output_dir: Path) -> dict[str, Any] | None:
    path = output_dir / "manifest.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def _tokenizer_name(cfg: LoadedConfig) -> str | None:
    counter = cfg.token_counter()
    return counter.label if counter else None


def _licence_summary(table: LicenseTable, datasets: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per licence in the release: its name, class and link, and what it covers."""
    out: dict[str, dict[str, Any]] = {}
    for d in datasets:
        lic = table.get(d["license"])
        entry = out.setdefault(
            lic.id,
            {
                "license": lic.id,
                "name": lic.name,
                "version": lic.version,
                "url": lic.url,
                "license_class": lic.license_class,
                "datasets": 0,
                "documents": 0,
                "tokens": 0,
            },
        )
        entry["datasets"] += 1
        entry["documents"] += d["documents"]
        entry["tokens"] += d["tokens"]
    return sorted(out.values(), key=lambda e: -e["tokens"])


def _collect_agencies(agencies: dict[str, dict[str, int]], published: pa.Table) -> None:
    """Totals by each document's own `agency` (a gazette notice names its issuing agency, not the gazette)."""
    cols = published.select(["agency", "n_tokens", "n_chars"]).to_pydict()
    for agency, tokens, chars in zip(cols["agency"], cols["n_tokens"], cols["n_chars"], strict=True):
        entry = agencies.setdefault(agency or "", {"documents": 0, "tokens": 0, "chars": 0})
        entry["documents"] += 1
        entry["tokens"] += tokens or 0
        entry["chars"] += chars or 0


def _collect_datasets(
    datasets: dict[tuple[str, str], dict[str, Any]], published: pa.Table, providing_agency: str | None
) -> None:
    """Per dataset totals; the agency named is the dataset's provider, whom the licence's attribution names."""
    if not published.num_rows:
        return
    cols = published.select(
        [
            "source",
            "dataset_id",
            "dataset_title",
            "agency",
            "license",
            "license_url",
            "attribution",
            "n_tokens",
            "n_chars",
        ]
    ).to_pylist()
    for row in cols:
        key = (row["source"], row["dataset_id"])
        entry = datasets.setdefault(
            key,
            {
                "source": row["source"],
                "dataset_id": row["dataset_id"],
                "dataset_title": row["dataset_title"],
                "agency": providing_agency,
                "license": row["license"],
                "license_url": row["license_url"],
                "attribution": row["attribution"],
                "documents": 0,
                "tokens": 0,
                "chars": 0,
            },
        )
        entry["documents"] += 1
        entry["tokens"] += row["n_tokens"] or 0
        entry["chars"] += row["n_chars"] or 0
