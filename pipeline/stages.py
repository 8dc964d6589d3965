"""The stage functions an orchestrator calls, in order. Each reads and writes files, so each can be resumed,
re-run alone, or sent to another machine; none of them knows about Prefect."""

from __future__ import annotations

from typing import Any

from pipeline.config import LoadedConfig
from pipeline.extract import FetchedRef, extract_resource
from pipeline.fetch import Fetcher, FetchError, Ledger, RawStore
from pipeline.paths import RunContext
from pipeline.report import build_report, write_report
from pipeline.shards import publish
from pipeline.sources import Resource, discover


def fetcher_for(ctx: RunContext) -> Fetcher:
    return Fetcher(RawStore(ctx.paths.raw_dir), Ledger(ctx.paths.ledger_path))


def discover_resources(cfg: LoadedConfig, ctx: RunContext) -> list[Resource]:
    return discover(cfg, fetcher_for(ctx))


def fetch_resource(ctx: RunContext, resource: Resource) -> FetchedRef:
    """Bytes for one resource; a failure becomes a FetchedRef with `error`, reported as a rejected row."""
    if resource.format == "unavailable":
        return FetchedRef(path=None, sha256=None, retrieved_at=None)
    try:
        got = fetcher_for(ctx).fetch(resource.url, resource.fetch_url)
    except FetchError as exc:
        return FetchedRef(path=None, sha256=None, retrieved_at=None, error=str(exc))
    return FetchedRef(path=str(got.path), sha256=got.sha256, retrieved_at=got.retrieved_at.isoformat())


__all__ = [
    "build_report",
    "discover_resources",
    "extract_resource",
    "fetch_resource",
    "fetcher_for",
    "publish",
    "write_report",
]


def summary(report: dict[str, Any]) -> dict[str, Any]:
    """The few numbers a CLI prints at the end of a run."""
    t = report["totals"]
    return {
        "run_id": report["run_id"],
        "records_read": t["records_read"],
        "published": t["published"],
        "rejected_by_reason": t["rejected_by_reason"],
        "tokens": t["tokens"],
        "chars": t["chars"],
        "resources": t["resources"],
        "resources_reused": t["resources_reused"],
        "output_dir": report["output_dir"],
    }
