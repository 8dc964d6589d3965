"""Stage 3, extract: one resource's bytes -> a staged Arrow file of rows with their attributes, and its record.

The table is written first and the record last, both via rename, so a crash never leaves a half-done marker;
a re-run with the same key reuses both (see staged.py for what the key covers). A big file is extracted in
parts by several workers at once (split.py) and merged into the same table and record; a part already staged
is kept, so a run cut short resumes.
"""

from __future__ import annotations

import logging
from collections import Counter
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.feather as feather
from pydantic import BaseModel

from pipeline.atomic import atomic_write, atomic_write_bytes
from pipeline.config import LoadedConfig
from pipeline.document import Document, to_table
from pipeline.extract.builder import Builder, merged_stats
from pipeline.extract.read import read_resource
from pipeline.extract.split import WHOLE, Share
from pipeline.extract.staged import StagedResource, StepStat, staged_key, staged_paths
from pipeline.fetch import FetchedRef
from pipeline.normalize.unicode import replace_surrogates
from pipeline.paths import RunContext
from pipeline.sources import Resource

log = logging.getLogger(__name__)
UNIT = "_unit"  # a part's rows carry the unit they came from until the merge
PLACE = "_place"  # and, in the merge, their place in their part


def _documents(cfg: LoadedConfig, builder: Builder) -> tuple[list[Document], list[int]]:
    """The resource's rows (those of the builder's share) and their units. An input no reader expects (an
    exception from deep inside a parser, say) costs that resource -- one rejected row naming the exception, the
    traceback in the log -- never the run."""
    try:
        with builder.steps.step("read_and_normalize", 0) as s:
            rows = read_resource(cfg, builder)
            docs = [doc for _, doc in rows]
            s.docs_in += len(docs)
            s.docs_out += sum(1 for d in docs if not d.reason)
        builder.measure(docs)
        builder.sign(docs)
        return docs, [unit for unit, _ in rows]
    except Exception as exc:  # one resource's failure must not end the run
        log.exception("extracting %s failed", builder.resource.url)
        detail = replace_surrogates(f"{type(exc).__name__}: {exc}")[:2000]
        return [builder.whole_resource("extract_error", detail)], [WHOLE]


def staged_already(
    cfg: LoadedConfig, ctx: RunContext, resource: Resource, fetched: FetchedRef
) -> StagedResource | None:
    """The record of this resource staged by an earlier run from the same bytes and settings, or None."""
    return _staged(ctx, staged_key(cfg, ctx, resource, fetched), resource)


def _staged(ctx: RunContext, key: str, resource: Resource) -> StagedResource | None:
    staged_path, record_path = staged_paths(ctx, key)
    if not (record_path.exists() and staged_path.exists()):
        return None
    # What the dataset says of itself (title, provider, licence) is not part of the key: the current word
    return StagedResource.load(record_path).model_copy(
        update={"dataset": resource.dataset, "modified_at": resource.modified_at}
    )


def extract_resource(cfg: LoadedConfig, ctx: RunContext, resource: Resource, fetched: FetchedRef) -> StagedResource:
    """Stage one resource; returns its record. Skips the work when the record exists."""
    key = staged_key(cfg, ctx, resource, fetched)
    earlier = _staged(ctx, key, resource)
    if earlier is not None:
        return earlier
    builder = Builder(cfg, ctx, resource, fetched)
    docs, _ = _documents(cfg, builder)
    return _stage(ctx, key, resource, fetched, to_table(docs), builder.stats.as_dict(), builder.steps.stats)


def _stage(
    ctx: RunContext,
    key: str,
    resource: Resource,
    fetched: FetchedRef,
    table: pa.Table,
    normalization: dict[str, Any],
    steps: dict[str, StepStat],
) -> StagedResource:
    """Write the staged file, then its record (the marker that the work is done)."""
    staged_path, record_path = staged_paths(ctx, key)
    atomic_write(staged_path, lambda tmp: feather.write_feather(table, tmp, compression="zstd"))
    reasons = [r for r in table.column("reason").to_pylist() if r]
    record = StagedResource(
        key=key,
        staged=str(staged_path),
        resource_url=resource.url,
        source_index=resource.source_index,
        source=resource.source_kind,
        dataset=resource.dataset,
        modified_at=resource.modified_at,
        raw_sha256=fetched.sha256,
        retrieved_at=fetched.retrieved_at,
        decoder=_decoders(table),
        records_read=table.num_rows,
        staged_ok=table.num_rows - len(reasons),
        rejected_at_extract=dict(sorted(Counter(reasons).items())),
        normalization=normalization,
        steps=steps,
        pipeline_version=ctx.pipeline_version,
    )
    record.save(record_path)
    return record


def _decoders(table: pa.Table) -> str | None:
    """The decoder(s) the rows were read with, in order of first use; several only when an archive mixes them."""
    seen = [e for e in dict.fromkeys(table.column("source_encoding").to_pylist()) if e]
    return ",".join(seen) if seen else None


class PartRecord(BaseModel):
    """What one part of a split extraction made, beside its rows: the audit the merge adds up."""

    normalization: dict[str, Any]
    steps: dict[str, StepStat]


def _part_paths(ctx: RunContext, key: str, part: int, parts: int) -> tuple[Path, Path]:
    return staged_paths(ctx, f"{key}.part{part}of{parts}")


def extract_part(cfg: LoadedConfig, ctx: RunContext, resource: Resource, fetched: FetchedRef, share: Share) -> None:
    """Stage one part of a split resource: its share of the rows, each with its unit (kept if already there)."""
    rows_path, record_path = _part_paths(ctx, staged_key(cfg, ctx, resource, fetched), share.part, share.parts)
    if rows_path.exists() and record_path.exists():
        return
    builder = Builder(cfg, ctx, resource, fetched)
    builder.share = share
    docs, units = _documents(cfg, builder)
    table = to_table(docs).append_column(UNIT, pa.array(units, pa.int64()))
    atomic_write(rows_path, lambda tmp: feather.write_feather(table, tmp, compression="zstd"))
    part = PartRecord(normalization=builder.stats.as_dict(), steps=builder.steps.stats)
    atomic_write_bytes(record_path, part.model_dump_json().encode("utf-8"))


def merge_parts(
    cfg: LoadedConfig, ctx: RunContext, resource: Resource, fetched: FetchedRef, parts: int
) -> StagedResource:
    """The staged file and record of a split resource from its parts: the rows the unsplit extraction makes, in
    its order (the parts' rows sorted by unit), and the parts' audits added up. The parts are then deleted."""
    key = staged_key(cfg, ctx, resource, fetched)
    earlier = _staged(ctx, key, resource)
    paths = [_part_paths(ctx, key, k, parts) for k in range(parts)]
    if earlier is not None:
        _remove(paths)
        return earlier
    tables = [feather.read_table(rows) for rows, _ in paths]
    records = [PartRecord.model_validate_json(record.read_text(encoding="utf-8")) for _, record in paths]
    whole = next((t for t in tables if WHOLE in t.column(UNIT).to_pylist()), None)
    if whole is not None:  # the file failed as a whole: every part (or the one that hit it) holds that row alone
        table = whole
    else:
        # A member's rows all come from one part: by unit, then by place in that part, is the unsplit order.
        table = pa.concat_tables([t.append_column(PLACE, pa.array(range(t.num_rows), pa.int64())) for t in tables])
        table = table.take(pc.sort_indices(table, [(UNIT, "ascending"), (PLACE, "ascending")])).drop_columns([PLACE])
    table = table.drop_columns([UNIT])
    stats = merged_stats([r.normalization for r in records], table.column("id").to_pylist())
    steps: dict[str, StepStat] = {}
    for record in records:
        for name, stat in record.steps.items():
            total = steps.setdefault(name, StepStat())
            total.docs_in += stat.docs_in
            total.docs_out += stat.docs_out
            total.cpu_s += stat.cpu_s
    staged = _stage(ctx, key, resource, fetched, table, stats, steps)
    _remove(paths)
    return staged


def _remove(paths: list[tuple[Path, Path]]) -> None:
    for pair in paths:
        for path in pair:
            path.unlink(missing_ok=True)
