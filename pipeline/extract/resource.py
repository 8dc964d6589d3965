"""Stage 3, extract: one resource's bytes -> a staged Arrow file of rows with their attributes, and its record.

The table is written first and the record last, both via rename, so a crash never leaves a half-done marker;
a re-run with the same key reuses both (see staged.py for what the key covers).
"""

from __future__ import annotations

import logging
from collections import Counter

import pyarrow as pa
import pyarrow.feather as feather

from pipeline.atomic import atomic_write
from pipeline.config import LoadedConfig
from pipeline.document import Document, to_table
from pipeline.extract.builder import Builder
from pipeline.extract.read import read_resource
from pipeline.extract.staged import StagedResource, staged_key, staged_paths
from pipeline.fetch import FetchedRef
from pipeline.normalize.unicode import replace_surrogates
from pipeline.paths import RunContext
from pipeline.sources import Resource

log = logging.getLogger(__name__)


def _documents(cfg: LoadedConfig, builder: Builder) -> tuple[list[Document], pa.Table]:
    """The resource's rows. An input no reader expects (an exception from deep inside a parser, say) costs
    that resource -- one rejected row naming the exception, the traceback in the log -- never the run."""
    try:
        with builder.steps.step("read_and_normalize", 0) as s:
            docs = read_resource(cfg, builder)
            s.docs_in += len(docs)
            s.docs_out += sum(1 for d in docs if not d.reason)
        builder.measure(docs)
        builder.sign(docs)
        return docs, to_table(docs)
    except Exception as exc:  # one resource's failure must not end the run
        log.exception("extracting %s failed", builder.resource.url)
        docs = [builder.whole_resource("extract_error", replace_surrogates(f"{type(exc).__name__}: {exc}")[:2000])]
        return docs, to_table(docs)


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
    staged_path, record_path = staged_paths(ctx, key)
    builder = Builder(cfg, ctx, resource, fetched)
    docs, table = _documents(cfg, builder)
    atomic_write(staged_path, lambda tmp: feather.write_feather(table, tmp, compression="zstd"))
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
        decoder=builder.encoding,
        records_read=len(docs),
        staged_ok=sum(1 for d in docs if not d.reason),
        rejected_at_extract=dict(sorted(Counter(d.reason for d in docs if d.reason).items())),
        normalization=builder.stats.as_dict(),
        steps=builder.steps.stats,
        pipeline_version=ctx.pipeline_version,
    )
    record.save(record_path)
    return record
