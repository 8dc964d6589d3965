"""Stage 4, publish -- the release: the decisions applied -> Parquet shards, rejected table, dataset card,
NOTICE, dedup index, manifest.

The public corpus and, when restricted sources have documents, the restricted release beside it; each is
written whole into a temporary folder and swapped in (see release.py).
"""

from __future__ import annotations

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

from pipeline.atomic import sha256_file
from pipeline.background import Sequential, prefetched
from pipeline.config import LoadedConfig
from pipeline.dates import parse_date
from pipeline.dedup.index import FOLDER as INDEX_FOLDER
from pipeline.dedup.index import IndexWriter, PublishedIndex
from pipeline.dedup.lsh import candidate_pairs
from pipeline.document import DOCUMENT_SCHEMA, REJECTED_SCHEMA
from pipeline.extract.staged import StagedResource
from pipeline.licensing import LicenseTable, Resolved
from pipeline.paths import RunContext
from pipeline.publish import history
from pipeline.publish.card import render_card, render_notice
from pipeline.publish.counts import UNCOUNTED, RowCounts, count_published
from pipeline.publish.croissant import croissant
from pipeline.publish.decisions import (
    Decisions,
    PairsOf,
    Rekeyed,
    decide,
    index_settings,
    open_published,
    read_staged,
    staged_columns,
)
from pipeline.publish.digest import SCHEME as DIGEST_SCHEME
from pipeline.publish.digest import Digest, row_hashes
from pipeline.publish.release import (
    input_digest,
    previous_manifest,
    recover,
    remember_release,
    swap_in,
    unchanged_release,
)
from pipeline.publish.removals import REMOVED, load_ledger, read_tombstones, write_tombstones
from pipeline.publish.writers import PartitionedWriter, ShardWriter, tag_files
from pipeline.report.diff import release_diff

WITHHELD = "; text withheld: its licence does not allow redistributing it (see resource_url)"


class PublishError(RuntimeError):
    """The release could not be written (e.g. no space left); the one in place is untouched."""


@dataclass
class ResourceTally:
    """Accounting for one resource: records read = published + sum(rejected)."""

    records_read: int = 0
    license: str = ""
    published: int = 0
    rejected: Counter[str] = field(default_factory=Counter)
    chars: int = 0
    tokens: int = 0


# The two tiers of the national corpus, as twcorpus's two releases.
OPEN_TIER, AUTHORISED_TIER = "open", "authorised"
CROISSANT = "croissant.json"  # beside the card: the release in Croissant 1.0


def _put(table: pa.Table, name: str, values: pa.Array | pa.ChunkedArray) -> pa.Table:
    at = table.schema.get_field_index(name)  # -1: a column decided at publish that older staged files lack
    return table.set_column(at, name, values) if at >= 0 else table.append_column(name, values)


def _provenance(table: pa.Table, staged: StagedResource, licence: Resolved, tier: str) -> pa.Table:
    """What publish knows of every row of a resource and extraction left out: the dataset's title and provider
    (a record's own agency stays), its dates where the record gives none, its licence as resolved and the
    access tier of the release it goes to."""
    n, ds = table.num_rows, staged.dataset
    text = pa.string()
    table = _put(table, "dataset_title", pa.array([ds.title] * n, text))
    table = _put(table, "agency", pc.coalesce(table["agency"], pa.scalar(ds.agency, text)))
    table = _put(table, "agency_id", pa.array([ds.agency_id] * n, text))
    when = parse_date(staged.modified_at)
    stamp = pa.scalar(when, pa.timestamp("us", tz="UTC"))
    table = _put(table, "modified_at", pc.coalesce(table["modified_at"], stamp))
    table = _put(table, "license", pa.array([licence.id] * n, text))
    table = _put(table, "license_url", pa.array([licence.url] * n, text))
    table = _put(table, "attribution", pa.array([licence.attribution] * n, text))
    return _put(table, "access_tier", pa.array([tier] * n, text))


def _counted(table: pa.Table, reasons: list[str | None], counts: RowCounts | None, label: str | None) -> pa.Table:
    """The word and token counts of the published rows (`counts`); rejected rows have none."""
    if counts is None:  # neither words nor tokens are counted
        return table
    rejected = np.fromiter((r is not None for r in reasons), dtype=bool, count=len(reasons))
    words = pa.array(counts.words, pa.int64(), mask=rejected | (counts.words == UNCOUNTED))
    tokens = pa.array(counts.tokens, pa.int64(), mask=rejected | (counts.tokens == UNCOUNTED))
    named = pc.if_else(pc.is_valid(tokens), pa.scalar(label, pa.string()), pa.scalar(None, pa.string()))
    return _put(_put(_put(table, "n_words", words), "n_tokens", tokens), "tokenizer", named)


def _split(
    table: pa.Table, decisions: Decisions, staged: StagedResource, run_id: str, tier: str = OPEN_TIER
) -> tuple[pa.Table, pa.Table]:
    """Apply the final decisions to one staged table: (published rows, rejected rows)."""
    key, n = staged.key, table.num_rows
    table = _provenance(table, staged, decisions.licences[key], tier)
    details = pa.array(
        [
            d if d is not None else old
            for d, old in zip(decisions.details[key], table["reason_detail"].to_pylist(), strict=True)
        ],
        pa.string(),
    )
    gated = pa.array(decisions.withhold.get(key, [False] * n), pa.bool_())
    removed = pc.fill_null(pc.equal(pa.array(decisions.reasons[key], pa.string()), REMOVED), False)
    if pc.any(removed).as_py():  # removed on request: no text, no title, whatever the licence
        table = _put(table, "title", pc.if_else(removed, pa.scalar(None, pa.string()), table["title"]))
        table = _put(table, "text", pc.if_else(removed, pa.scalar(None, pa.string()), table["text"]))
        gated = pc.and_(gated, pc.invert(removed))
    if pc.any(gated).as_py():
        # The rejected table travels with the corpus: text whose licence does not allow (or is not known to
        # allow) redistributing an adaptation of it is withheld, whatever the row's reason; its provenance stays
        # for the maintainer. (Published rows are allowed by definition.)
        table = _put(table, "text", pc.if_else(gated, pa.scalar(None, pa.string()), table["text"]))
        noted = pc.binary_join_element_wise(pc.coalesce(details, pa.scalar("licence gate")), pa.scalar(WITHHELD), "")
        details = pc.if_else(gated, noted, details)
    table = _put(table, "reason", pa.array(decisions.reasons[key], pa.string()))
    table = _put(table, "reason_detail", details)
    table = _put(table, "dup_cluster", pa.array(decisions.clusters[key], pa.string()))
    table = _put(table, "dup_count", pa.array(decisions.sizes[key], pa.int32()))
    table = _put(table, "run_id", pa.array([run_id] * n, pa.string()))
    keep = pc.is_null(table["reason"])
    published = table.select(DOCUMENT_SCHEMA.names).filter(keep).cast(DOCUMENT_SCHEMA)
    rejected = table.select(REJECTED_SCHEMA.names).filter(pc.invert(keep)).cast(REJECTED_SCHEMA)
    return published, rejected


def _tally(table: pa.Table, reasons: list[str | None], license_id: str) -> ResourceTally:
    t = ResourceTally(records_read=table.num_rows, license=license_id)
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


def restricted_output_dir(cfg: LoadedConfig, ctx: RunContext) -> Path:
    name = cfg.corpus.restricted_output_dir
    return (
        Path(os.path.abspath(name))
        if name
        else ctx.paths.output_dir.with_name(ctx.paths.output_dir.name + "-restricted")
    )


def publish(
    cfg: LoadedConfig,
    ctx: RunContext,
    sidecars: list[StagedResource],
    pairs_of: PairsOf = candidate_pairs,
) -> dict[str, Any]:
    """Publish the public corpus and, when restricted sources have documents, the restricted one beside it.

    The two never mix: each has its own shards, dedup, card, NOTICE, index and manifest. Returns the public
    manifest with every resource's tally and a summary of the restricted release under `restricted`.
    """
    sources = cfg.corpus.sources
    restricted = [sc for sc in sidecars if sources[sc.source_index].is_restricted(sc.dataset_id)]
    public = [sc for sc in sidecars if not sources[sc.source_index].is_restricted(sc.dataset_id)]
    manifest = publish_release(cfg, ctx, public, ctx.paths.output_dir, open_published(cfg), pairs_of)
    if not public and restricted:  # every source is restricted: no public corpus was asked for
        manifest.pop("refused", None)
    if restricted:
        folder = restricted_output_dir(cfg, ctx)
        other = publish_release(cfg, ctx, restricted, folder, [], pairs_of, tier=AUTHORISED_TIER)
        manifest["tallies"].update(other["tallies"])
        manifest["restricted"] = {
            "output_dir": str(folder),
            "run_id": other["run_id"],
            "documents": other["documents"],
            "rejected": other["rejected"],
            "datasets": other["datasets"],
            "content_sha256": other["content_sha256"],
            **({"refused": other["refused"]} if "refused" in other else {}),
        }
    return manifest


def publish_release(
    cfg: LoadedConfig,
    ctx: RunContext,
    sidecars: list[StagedResource],
    out: Path,
    against: list[PublishedIndex],
    pairs_of: PairsOf = candidate_pairs,
    tier: str = OPEN_TIER,
) -> dict[str, Any]:
    """Write one release into `out` and swap it in; returns the manifest (with per-resource tallies).

    When nothing it depends on changed since the release in place was written, that release is kept as it
    is (same files, same run_id) and its manifest returned: a re-run does not rewrite an identical corpus.
    """
    recover(out)
    history.recover(out)
    ledger = load_ledger(cfg.removals_path())
    digest = input_digest(cfg, ctx, sidecars, against, out, ledger.digest())
    unchanged = unchanged_release(ctx, digest, out)
    if unchanged is not None:
        return unchanged
    decisions = decide(cfg, sidecars, against, pairs_of, ledger, read_tombstones(out / INDEX_FOLDER))
    counts = count_published(cfg, sidecars, decisions.reasons, decisions.steps)
    tmp = out.parent / f".{out.name}.tmp-{ctx.run_id}"
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        manifest, tallies = _write_release(cfg, ctx, sidecars, decisions, counts, tmp, out, against, tier)
        if manifest["documents"] == 0:  # `load_dataset` cannot open a release without rows: keep the one in place
            shutil.rmtree(tmp, ignore_errors=True)
            manifest["tallies"] = {k: _tally_dict(v) for k, v in tallies.items()}
            manifest["refused"] = refusal(out, manifest)
            manifest["diff"] = None  # nothing was released to compare
            return manifest
        keep = cfg.corpus.releases.keep
        if keep:
            history.install(tmp, out, ctx.run_id, keep)
        else:
            swap_in(tmp, out, ctx.run_id)
    except OSError as exc:  # a full disk, a read-only or vanished folder: the release in place stays as it was
        shutil.rmtree(tmp, ignore_errors=True)
        where = f" ({exc.filename})" if exc.filename else ""
        raise PublishError(
            f"publishing {out} failed: {exc.strerror or exc}{where}; the release in place is unchanged"
        ) from exc
    manifest["tallies"] = {k: _tally_dict(v) for k, v in tallies.items()}
    remember_release(ctx, digest, manifest, out, [sc.key for sc in sidecars])
    history.remember_agencies(ctx.paths.state_dir, manifest, out)
    return manifest


def refusal(out: Path, manifest: dict[str, Any]) -> str:
    """Why a release with no document was not published, with the rejections that emptied it."""
    reasons: Counter[str] = Counter()
    for tally in manifest["tallies"].values():
        reasons.update(tally["rejected"])
    read = sum(t["records_read"] for t in manifest["tallies"].values())
    shown = ", ".join(f"{reason} {n:,}" for reason, n in reasons.most_common(5)) or "no records were read"
    where = "the release in place is unchanged" if (out / "manifest.json").exists() else "no release was written"
    return (
        f"nothing to publish into {out}: {read:,} record(s) read, none published ({shown}); {where} -- a release "
        "without documents cannot be loaded with datasets.load_dataset (see the report for every rejection)"
    )


def _write_release(
    cfg: LoadedConfig,
    ctx: RunContext,
    sidecars: list[StagedResource],
    decisions: Decisions,
    counts: dict[str, RowCounts],
    tmp: Path,
    out: Path,
    against: list[PublishedIndex],
    tier: str,
) -> tuple[dict[str, Any], dict[str, ResourceTally]]:
    """Every file of the release, written into `tmp`; returns its manifest and the per-resource tallies."""
    pub = cfg.corpus.publish
    table_of_licences = cfg.license_table()
    tokenizer = cfg.token_label()
    index = IndexWriter(tmp / INDEX_FOLDER, index_settings(cfg))
    index.boilerplate = decisions.boilerplate
    tallies: dict[str, ResourceTally] = {}
    datasets: dict[tuple[str, str], dict[str, Any]] = {}
    content = Digest()
    dataset_content: dict[tuple[str, str], Digest] = {}
    document_agencies: dict[str, dict[str, int]] = {}
    # Staged files are read one ahead and shards written behind, each in a thread of its own (see background.py).
    with Sequential(name="shard-writer") as background:
        docs = PartitionedWriter(tmp / "data", pub.shard_rows, pub.compression, background)
        rejs = ShardWriter(tmp / "rejected", "rejected", REJECTED_SCHEMA, pub.shard_rows, pub.compression, background)
        for sc, table in zip(sidecars, prefetched(_release_columns, sidecars), strict=True):
            key = sc.key
            table = _counted(table, decisions.reasons[key], counts.get(key), tokenizer)
            published, rejected = _split(table, decisions, sc, ctx.run_id, tier)
            if published.num_rows:
                docs.write(published, decisions.licences[key].license.license_class, sc.source)
                ids, hashes = row_hashes(published)
                content.add(ids, hashes)
                dataset_content.setdefault((sc.source, sc.dataset_id), Digest()).add(ids, hashes)
                _index_published(index, table, decisions.reasons[key], decisions.rekeyed.get(key, {}))
            if rejected.num_rows:
                rejs.write(rejected)
            tallies[key] = _tally(table, decisions.reasons[key], decisions.licences[key].id)
            _collect_datasets(datasets, published, sc.agency)
            _collect_agencies(document_agencies, published)
        shards = docs.close()
        rejected_files = rejs.close()
    index.close()
    write_tombstones(tmp / INDEX_FOLDER, decisions.tombstones)
    tag, shards, rejected_files, shas = tag_files(tmp, shards, rejected_files)
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
        "content_digest_scheme": DIGEST_SCHEME,
        "release_tag": tag,
        "access_tier": tier,
        "documents": sum(c for _, c in shards),
        "rejected": sum(c for _, c in rejected_files),
        "shards": [_file_entry(tmp, p, c, shas[p]) for p, c in shards],
        "rejected_files": [_file_entry(tmp, p, c, shas[p]) for p, c in rejected_files],
        "dedup_index": {
            **index_settings(cfg),
            "documents": index.rows,
            "files": [_file_entry(tmp, p, None) for p in sorted((tmp / INDEX_FOLDER).iterdir())],
        },
        "deduplicated_against": [str(i.release) for i in against],
        "dedup_stats": decisions.stats,
        "decision_steps": {k: v.model_dump() for k, v in decisions.steps.items()},
        "dedup_audit": decisions.audit,
        "cross_agency_clusters": decisions.cross_agency,
        "document_agencies": dict(sorted(document_agencies.items())),
        "datasets": sorted(datasets.values(), key=lambda d: (d["agency"] or "", d["dataset_id"])),
        # Per resource, in the order publishing read them (the order of content_sha256): what a release can be
        # checked against on its own (`twcorpus verify`): records read = published + rejected.
        "resources": [
            {
                "source": sc.source,
                "dataset_id": sc.dataset_id,
                "resource_url": sc.resource_url,
                **_tally_dict(tallies[sc.key]),
            }
            for sc in sidecars
        ],
    }
    manifest["licenses"] = _licence_summary(table_of_licences, manifest["datasets"])
    manifest["removals"] = decisions.removals
    manifest["dataset_licences"] = {
        f"{sc.source}/{sc.dataset_id}": {
            "license": decisions.licences[sc.key].id,
            "policy": decisions.licences[sc.key].policy,
            "stated": sc.dataset.license,
            "dataset_title": sc.dataset_title,
            "agency": sc.agency,
        }
        for sc in sidecars
    }
    card = render_card(
        manifest,
        has_rejected=bool(rejected_files),
        licences=manifest["licenses"],
        dedup=cfg.corpus.dedup.model_dump(mode="json"),
        tokenizer=cfg.token_label(),
    )
    (tmp / "README.md").write_text(card, encoding="utf-8")
    (tmp / CROISSANT).write_text(json.dumps(croissant(manifest), ensure_ascii=False, indent=1), encoding="utf-8")
    before = previous_manifest(out)
    manifest["diff"] = release_diff(before, manifest)
    # Every licence change a release saw, oldest first: what a maintainer answers "since when?" with.
    manifest["licence_history"] = [
        *(before or {}).get("licence_history", []),
        *({**c, "run_id": ctx.run_id, "at": manifest["created_at"]} for c in manifest["diff"]["licence_changed"]),
    ]
    (tmp / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    return manifest, tallies


def _tally_dict(t: ResourceTally) -> dict[str, Any]:
    return {
        "records_read": t.records_read,
        "license": t.license,
        "published": t.published,
        "rejected": dict(sorted(t.rejected.items())),
        "chars": t.chars,
        "tokens": t.tokens,
    }


def _file_entry(root: Path, path: Path, rows: int | None, sha256: str | None = None) -> dict[str, Any]:
    entry: dict[str, Any] = {"path": path.relative_to(root).as_posix()}
    if rows is not None:
        entry["rows"] = rows
    return {**entry, "bytes": path.stat().st_size, "sha256": sha256 or sha256_file(path)}


_RELEASE_COLUMNS = [*REJECTED_SCHEMA.names, "hash_key", "minhash", "view_len"]


def _release_columns(staged: StagedResource) -> pa.Table:
    """What the release takes of a staged file: its rows' columns and the keys of the dedup index -- not the
    line views and edge keys only dedup reads (the largest columns after the text). A column a file staged by an
    earlier version lacks (access_tier) is added at publish."""
    present = staged_columns(staged.staged)
    return read_staged(staged, [name for name in _RELEASE_COLUMNS if name in present])


def _index_published(
    index: IndexWriter, staged: pa.Table, reasons: list[str | None], rekeyed: dict[int, Rekeyed]
) -> None:
    """The published rows' dedup keys, as dedup compared them (again without boilerplate where it had some)."""
    keep = [i for i, r in enumerate(reasons) if r is None]
    rows = staged.select(["id", "hash_key", "n_chars", "minhash", "view_len"]).take(keep).to_pydict()
    for pos, i in enumerate(keep):
        again = rekeyed.get(i)
        if again is not None:
            rows["hash_key"][pos] = again.hash_key
            rows["minhash"][pos], rows["view_len"][pos] = again.signature or rows["minhash"][pos], again.view_len
    lengths = [v if v is not None else c for v, c in zip(rows["view_len"], rows["n_chars"], strict=True)]
    index.add(rows["id"], rows["hash_key"], rows["n_chars"], rows["minhash"], lengths)


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
