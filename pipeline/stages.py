"""The stage functions an orchestrator calls, in order. Each reads and writes files, so each can be resumed,
re-run alone, or sent to another machine; none of them knows about Prefect."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline import lineage
from pipeline.batches import plan_batches
from pipeline.config import LoadedConfig
from pipeline.extract.resource import extract_resource, staged_already
from pipeline.extract.staged import StagedResource, staged_paths
from pipeline.fetch import FetchedRef, Fetcher, FetchError, is_remote
from pipeline.fetch import fetcher_for as new_fetcher
from pipeline.paths import RunContext
from pipeline.publish.build import publish, restricted_output_dir
from pipeline.publish.release import staged_keys
from pipeline.report import build_report, summary_markdown, write_report
from pipeline.sources import Resource, discover
from pipeline.sources.changes import carried_over, change_urls, read_changes, remember_exports, remember_run
from pipeline.sources.files import fetch_location


def fetcher_for(cfg: LoadedConfig, ctx: RunContext) -> Fetcher:
    return new_fetcher(cfg.corpus.fetch, ctx.paths.raw_dir, ctx.paths.ledger_path)


def discover_resources(cfg: LoadedConfig, ctx: RunContext) -> list[Resource]:
    return discover(cfg, fetcher_for(cfg, ctx), change_urls(cfg, ctx))


@dataclass
class Plan:
    """What a run reads: resources to fetch and extract, and resources carried over with their fetched bytes;
    plus, per change-export source, the exports read and the (added or modified, deleted) ids they list."""

    resources: list[Resource]
    carried: list[Resource]
    carried_fetched: list[FetchedRef]
    exports: dict[int, list[str]] = field(default_factory=dict)
    changes: dict[int, tuple[set[str], set[str]]] = field(default_factory=dict)


def plan_run(cfg: LoadedConfig, ctx: RunContext) -> Plan:
    """Discovery plus carry-over, from one reading of the change exports: both see the same changes."""
    fetcher = fetcher_for(cfg, ctx)
    fetcher.store.sweep(older_than_s=2 * cfg.corpus.fetch.deadline_s)  # temp files of a killed run's downloads
    exports = change_urls(cfg, ctx)
    changes = read_changes(cfg, fetcher, exports)
    found = discover(cfg, fetcher, exports, changes)
    carried, fetched, refetch = carried_over(cfg, ctx, found, changes)
    return Plan(found + refetch, carried, fetched, exports, changes)


def catalogue_changes(cfg: LoadedConfig, plan: Plan) -> list[dict[str, Any]]:
    """Per change-export source: the exports read, the datasets they list as added or modified (read now) and
    as deleted (dropped), and the datasets carried over unread. An unreadable export lists nothing."""
    out = []
    for i, urls in sorted(plan.exports.items()):
        live, deleted = plan.changes.get(i, (set(), set()))
        out.append(
            {
                "source": cfg.corpus.sources[i].name or f"sources[{i}]",
                "exports": urls,
                "export_read": i in plan.changes,
                "added_or_modified": sorted(live),
                "deleted": sorted(deleted),
                "read_now": sorted({r.dataset.id for r in plan.resources if r.source_index == i}),
                "carried_over": sorted({r.dataset.id for r in plan.carried if r.source_index == i}),
            }
        )
    return out


def fetch_resource(
    cfg: LoadedConfig, ctx: RunContext, resource: Resource, fetcher: Fetcher | None = None
) -> FetchedRef:
    """Bytes for one resource; a failure becomes a FetchedRef with `error`, reported as a rejected row.
    `fetcher`: one shared by a batch (building one opens and checks the ledger)."""
    if resource.format == "unavailable":
        return FetchedRef(path=None, sha256=None, retrieved_at=None)
    # A data.gov.tw resource URL comes from remote metadata (API or catalogue), so it passes the host policy --
    # unless a url_map rewrite replaced it, which makes the location one the config wrote. The metadata
    # document itself (format "metadata") lives under the configured base_url.
    untrusted = (
        resource.source_kind == "datagovtw" and resource.format != "metadata" and resource.fetch_url == resource.url
    )
    try:
        got = (fetcher or fetcher_for(cfg, ctx)).fetch(
            resource.url, resource.fetch_url, untrusted=untrusted, expect=resource.format
        )
    except FetchError as exc:
        return FetchedRef(path=None, sha256=None, retrieved_at=None, error=str(exc))
    return FetchedRef(path=fetch_location(got.path), sha256=got.sha256, retrieved_at=got.retrieved_at.isoformat())


def reuse_local(
    cfg: LoadedConfig, ctx: RunContext, resources: list[Resource]
) -> tuple[list[tuple[Resource, FetchedRef, StagedResource]], list[Resource]]:
    """Split off the local files an earlier run staged from the same bytes and settings: (resource, its fetch
    record, its staged record) for those -- found with a stat and a look-up, no task, no hashing of a file that
    did not change -- and the resources that still need fetching or extracting."""
    fetcher = fetcher_for(cfg, ctx)
    reused: list[tuple[Resource, FetchedRef, StagedResource]] = []
    rest: list[Resource] = []
    for resource in resources:
        location = resource.fetch_url or resource.url
        if resource.format == "unavailable" or is_remote(location):
            rest.append(resource)
            continue
        fetched = fetch_resource(cfg, ctx, resource, fetcher)
        earlier = staged_already(cfg, ctx, resource, fetched) if fetched.error is None else None
        if earlier is None:
            rest.append(resource)
        else:
            reused.append((resource, fetched, earlier))
    return reused, rest


def fetch_batch(cfg: LoadedConfig, ctx: RunContext, batch: list[Resource]) -> list[FetchedRef]:
    fetcher = fetcher_for(cfg, ctx)
    return [fetch_resource(cfg, ctx, r, fetcher) for r in batch]


def extract_batch(
    cfg: LoadedConfig, ctx: RunContext, batch: list[Resource], fetched: list[FetchedRef]
) -> list[StagedResource]:
    return [extract_resource(cfg, ctx, r, f) for r, f in zip(batch, fetched, strict=True)]


__all__ = [
    "build_report",
    "catalogue_changes",
    "discover_resources",
    "extract_batch",
    "extract_resource",
    "fetch_batch",
    "fetch_resource",
    "fetcher_for",
    "plan_batches",
    "plan_run",
    "publish",
    "remember_exports",
    "remember_run",
    "report_run",
    "republish",
    "reuse_local",
    "summary_markdown",
    "write_report",
]


def republish(cfg: LoadedConfig, ctx: RunContext) -> dict[str, Any]:
    """Publish the releases again from the staged files they were last published from -- nothing fetched or
    extracted -- applying the removal ledger as it is now; then the report. Returns the run summary."""
    folders = [ctx.paths.output_dir, restricted_output_dir(cfg, ctx)]
    keys = dict.fromkeys(k for folder in folders for k in staged_keys(ctx, folder))
    if not keys:
        raise FileNotFoundError(
            f"no record of what {ctx.paths.output_dir} was published from in {ctx.paths.state_dir}: run the config "
            "once (twcorpus run), then remove"
        )
    sidecars = []
    for key in keys:
        path = staged_paths(ctx, key)[1]
        if not path.exists():
            raise FileNotFoundError(f"staged file {path} of the release is gone: run the config again")
        sidecars.append(StagedResource.load(path))
    lineage.emit(cfg, ctx, "START")
    manifest = publish(cfg, ctx, sidecars)
    lineage.emit(cfg, ctx, "COMPLETE", sidecars, manifest)
    report, folder = report_run(cfg, ctx, sidecars, manifest)
    return {**summary(report), "report_dir": str(folder)}


def report_run(
    cfg: LoadedConfig,
    ctx: RunContext,
    sidecars: list[StagedResource],
    manifest: dict[str, Any],
    timings: dict[str, float] | None = None,
    cpu: dict[str, float] | None = None,
) -> tuple[dict[str, Any], Path]:
    """The run's provenance report, built with the config's settings and written: (report, its folder)."""
    report = build_report(
        ctx,
        sidecars,
        manifest,
        timings=timings,
        cpu=cpu,
        target=cfg.corpus.tokens.target,
        dedup=cfg.corpus.dedup.model_dump(mode="json"),
        licenses=cfg.license_table(),
        license_overrides=cfg.corpus.licenses,
    )
    return report, write_report(ctx, report)


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
        "release_reused": report["release_reused"],
        "release_run_id": report["release_run_id"],
        "refused": report["refused"],
        "licence_changed": [
            f"{c['dataset']}: {c['description']}" for c in (report.get("diff") or {}).get("licence_changed", [])
        ],
    }
