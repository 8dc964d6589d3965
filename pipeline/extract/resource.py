"""Stage 3, extract: one resource's bytes -> a staged Arrow file of rows with their attributes, and its record.

The table is written first and the record last, both via rename, so a crash never leaves a half-done marker;
a re-run with the same key reuses both (see staged.py for what the key covers). A big file is extracted in
parts by several workers at once (split.py) and merged into the same table and record; a part already staged
is kept, so a run cut short resumes.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.feather as feather
from pydantic import BaseModel

from pipeline.atomic import atomic_write, atomic_write_bytes
from pipeline.config import LoadedConfig
from pipeline.document import to_table
from pipeline.extract.builder import Builder, merged_stats
from pipeline.extract.read import read_resource
from pipeline.extract.split import WHOLE, Share
from pipeline.extract.staged import StagedResource, StepStat, staged_key, staged_paths
from pipeline.fetch import FetchedRef
from pipeline.normalize.unicode import replace_surrogates
from pipeline.paths import RunContext
from pipeline.sources import Resource

log = logging.getLogger(__name__)
CHUNK = 4096  # documents measured, signed and turned into rows at a time
MERGE_ROWS = 4096  # rows a merge of parts copies at a time
UNIT = "_unit"  # a part's rows carry the unit they came from until the merge
RECORDED = ["id", "reason", "source_encoding"]  # the columns a staged file's record is made from


def _documents(cfg: LoadedConfig, builder: Builder) -> tuple[pa.Table, list[int]]:
    """The resource's rows (those of the builder's share) as a staged table, and their units. Measured, signed
    and tabled CHUNK documents at a time, each chunk's documents let go once tabled: a row as an Arrow row takes
    about half the memory it takes as a Document, so a big file's peak is its documents or its table, not both.
    An input no reader expects (an exception from deep inside a parser, say) costs that resource -- one rejected
    row naming the exception, the traceback in the log -- never the run."""
    try:
        with builder.steps.step("read_and_normalize", 0) as s:
            rows = read_resource(cfg, builder)
            s.docs_in += len(rows)
            s.docs_out += sum(1 for _, d in rows if not d.reason)
        units = [unit for unit, _ in rows]
        chunks = [[doc for _, doc in rows[i : i + CHUNK]] for i in range(0, len(rows), CHUNK)]
        del rows
        tables: list[pa.Table] = []
        while chunks:
            chunk = chunks.pop(0)  # a few hundred chunks at most: the documents themselves are not moved
            builder.measure(chunk)
            builder.sign(chunk)
            tables.append(to_table(chunk))
        return (pa.concat_tables(tables) if tables else to_table([])), units
    except Exception as exc:  # one resource's failure must not end the run
        log.exception("extracting %s failed", builder.resource.url)
        detail = replace_surrogates(f"{type(exc).__name__}: {exc}")[:2000]
        return to_table([builder.whole_resource("extract_error", detail)]), [WHOLE]


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
    table, _ = _documents(cfg, builder)
    return _stage(ctx, key, resource, fetched, table, builder.stats.as_dict(), builder.steps.stats)


def _stage(
    ctx: RunContext,
    key: str,
    resource: Resource,
    fetched: FetchedRef,
    table: pa.Table,
    normalization: dict[str, Any],
    steps: dict[str, StepStat],
    counted: bool = True,
) -> StagedResource:
    """Write the staged file, then its record (the marker that the work is done)."""
    staged_path, _ = staged_paths(ctx, key)
    atomic_write(staged_path, lambda tmp: feather.write_feather(table, tmp, compression="zstd"))
    return _record(ctx, key, resource, fetched, table, normalization, steps, counted)


def _record(
    ctx: RunContext,
    key: str,
    resource: Resource,
    fetched: FetchedRef,
    columns: pa.Table,
    normalization: dict[str, Any],
    steps: dict[str, StepStat],
    counted: bool = True,
) -> StagedResource:
    """Write the record of a staged file; `columns`: its rows, or at least their RECORDED columns."""
    staged_path, record_path = staged_paths(ctx, key)
    reasons = [r for r in columns.column("reason").to_pylist() if r]
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
        decoder=_decoders(columns),
        records_read=columns.num_rows,
        staged_ok=columns.num_rows - len(reasons),
        rejected_at_extract=dict(sorted(Counter(reasons).items())),
        normalization=normalization,
        steps=steps,
        pipeline_version=ctx.pipeline_version,
        counted=counted,
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
    table, units = _documents(cfg, builder)
    table = table.append_column(UNIT, pa.array(units, pa.int64()))
    # uncompressed, so that the merge maps the parts rather than holds them
    atomic_write(rows_path, lambda tmp: feather.write_feather(table, tmp, compression="uncompressed"))
    part = PartRecord(normalization=builder.stats.as_dict(), steps=builder.steps.stats)
    atomic_write_bytes(record_path, part.model_dump_json().encode("utf-8"))


def merge_parts(
    cfg: LoadedConfig, ctx: RunContext, resource: Resource, fetched: FetchedRef, parts: int
) -> StagedResource:
    """The staged file and record of a split resource from its parts: the rows the unsplit extraction makes, in
    its order (the parts' rows sorted by unit), and the parts' audits added up. The parts are then deleted.
    The rows are copied a run at a time from the parts, which are mapped, not read: a merge holds MERGE_ROWS
    rows, however big the file."""
    key = staged_key(cfg, ctx, resource, fetched)
    earlier = _staged(ctx, key, resource)
    paths = [_part_paths(ctx, key, k, parts) for k in range(parts)]
    if earlier is not None:
        _remove(paths)
        return earlier
    tables = [feather.read_table(rows, memory_map=True) for rows, _ in paths]
    records = [PartRecord.model_validate_json(record.read_text(encoding="utf-8")) for _, record in paths]
    units = [t.column(UNIT).to_numpy() for t in tables]
    tables = [t.drop_columns([UNIT]) for t in tables]
    # the file failed as a whole: every part (or the one that hit it) holds that row alone
    whole = next((t for t, u in zip(tables, units, strict=True) if (u == WHOLE).any()), None)
    runs = merge_runs(units) if whole is None else []
    # what the record reads of the rows, in their merged order, taken from the mapped parts (none: no rows)
    recorded = [t.select(RECORDED) for t in tables]
    columns = whole if whole is not None else pa.concat_tables([recorded[0].slice(0, 0), *_in_runs(recorded, runs)])
    stats = merged_stats([r.normalization for r in records], columns.column("id").to_pylist())
    steps: dict[str, StepStat] = {}
    for record in records:
        for name, stat in record.steps.items():
            total = steps.setdefault(name, StepStat())
            total.docs_in += stat.docs_in
            total.docs_out += stat.docs_out
            total.cpu_s += stat.cpu_s
    if whole is not None:
        staged = _stage(ctx, key, resource, fetched, whole, stats, steps, counted=False)
    else:
        staged_path, _ = staged_paths(ctx, key)
        atomic_write(staged_path, lambda tmp: _write_runs(tmp, tables, runs))
        staged = _record(ctx, key, resource, fetched, columns, stats, steps, counted=False)
    tables.clear()  # let go of the mapped parts before they are deleted
    _remove(paths)
    return staged


def merge_runs(units: list[np.ndarray]) -> list[tuple[int, int, int]]:
    """(part, start, stop): the runs of consecutive rows of one part that, one after the other, put every part's
    rows in unit order. A unit's rows all come from one part (a member's, from the part that read it), in their
    order there, so rows sorted by unit, then by place in their part, are the unsplit file's."""
    if not units or not sum(map(len, units)):
        return []
    part = np.concatenate([np.full(len(u), k, dtype=np.int64) for k, u in enumerate(units)])
    place = np.concatenate([np.arange(len(u), dtype=np.int64) for u in units])
    order = np.lexsort((place, np.concatenate(units)))
    part, place = part[order], place[order]
    breaks = np.flatnonzero((part[1:] != part[:-1]) | (place[1:] != place[:-1] + 1)) + 1
    starts, ends = np.r_[0, breaks], np.r_[breaks, len(order)]
    return [(int(part[a]), int(place[a]), int(place[b - 1]) + 1) for a, b in zip(starts, ends, strict=True)]


def _in_runs(tables: list[pa.Table], runs: list[tuple[int, int, int]]) -> Iterator[pa.Table]:
    """The runs of rows of `tables`, in order, as slices (no copy)."""
    for part, start, stop in runs:
        yield tables[part].slice(start, stop - start)


def _write_runs(path: str, tables: list[pa.Table], runs: list[tuple[int, int, int]]) -> None:
    """The runs of rows of `tables`, in order, as one Arrow file (what `feather.write_feather` writes, zstd),
    MERGE_ROWS rows at a time."""
    options = pa.ipc.IpcWriteOptions(compression="zstd")
    with pa.OSFile(path, "wb") as sink, pa.ipc.new_file(sink, tables[0].schema, options=options) as writer:
        pending: list[pa.Table] = []
        held = 0
        for rows in _in_runs(tables, runs):
            pending.append(rows)
            held += rows.num_rows
            if held >= MERGE_ROWS:
                writer.write_table(pa.concat_tables(pending).combine_chunks())
                pending, held = [], 0
        if pending:
            writer.write_table(pa.concat_tables(pending).combine_chunks())


def _remove(paths: list[tuple[Path, Path]]) -> None:
    for pair in paths:
        for path in pair:
            path.unlink(missing_ok=True)
