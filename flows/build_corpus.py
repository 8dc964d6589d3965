"""The `build-corpus` flow: discover -> fetch -> extract -> publish (gate + dedup) -> report.

Tasks pass paths and small records, never document text, and work on batches of one dataset's resources
(a task per file would cost more in orchestration than in work). Idempotency is data-level (content-keyed
staged files and an atomic publish), so Prefect result caching is off. With change exports, discovery is the
`catalogue-sync` child flow; with a `dask:` block every task runs on a Dask cluster in the child flow
`build-corpus-on-dask`; otherwise extraction runs in this machine's worker processes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_link_artifact, create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.futures import as_completed
from prefect.task_runners import ThreadPoolTaskRunner
from prefect.utilities.annotations import quote

from flows.catalogue_sync import catalogue_sync
from pipeline import lineage, stages
from pipeline.clock import StageClock
from pipeline.config import DaskConfig, LoadedConfig, load_config
from pipeline.dedup.dask_bands import candidate_pairs_from_worker, on_dask_worker
from pipeline.dedup.lsh import candidate_pairs
from pipeline.extract import workers as extraction
from pipeline.extract.staged import StagedResource
from pipeline.fetch import FetchedRef
from pipeline.paths import RunContext, make_context
from pipeline.sources import Resource
from pipeline.sources.changes import change_sources


@task(name="discover", cache_policy=NO_CACHE)
def discover_task(cfg: LoadedConfig, ctx: RunContext) -> stages.Plan:
    return stages.plan_run(cfg, ctx)


@task(name="fetch", task_run_name="fetch-{label}", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=[2, 8])
def fetch_task(cfg: LoadedConfig, ctx: RunContext, batch: list[Resource], label: str) -> list[FetchedRef]:
    return stages.fetch_batch(cfg, ctx, batch)


# Progress listeners (the CLI's progress bars): called as (stage, resources done, resources total, records).
PROGRESS: list[Callable[[str, int, int, int], None]] = []


def _progress(stage: str, done: int, total: int, records: int) -> None:
    for listener in PROGRESS:
        listener(stage, done, total, records)


@task(name="extract", task_run_name="extract-{label}", cache_policy=NO_CACHE)
def extract_task(
    cfg: LoadedConfig, ctx: RunContext, batch: list[Resource], fetched: list[FetchedRef], label: str
) -> list[StagedResource]:
    pool = extraction.for_run(ctx.run_id)
    if pool is not None:
        return pool.extract_batch(cfg, ctx, batch, fetched)
    return stages.extract_batch(cfg, ctx, batch, fetched)


@task(name="publish", cache_policy=NO_CACHE)
def publish_task(cfg: LoadedConfig, ctx: RunContext, sidecars: list[StagedResource]) -> dict[str, Any]:
    dask = cfg.corpus.dask
    if dask is not None and dask.dedup and on_dask_worker():
        get_run_logger().info("LSH band buckets grouped on the Dask cluster (dask.dataframe shuffle on the key)")
        return stages.publish(cfg, ctx, sidecars, candidate_pairs_from_worker)
    return stages.publish(cfg, ctx, sidecars, candidate_pairs)


@task(name="report", cache_policy=NO_CACHE)
def report_task(
    cfg: LoadedConfig,
    ctx: RunContext,
    sidecars: list[StagedResource],
    manifest: dict[str, Any],
    timings: dict[str, float],
    cpu: dict[str, float],
) -> dict[str, Any]:
    report, folder = stages.report_run(cfg, ctx, sidecars, manifest, timings, cpu)
    create_markdown_artifact(
        key="corpus-summary", markdown=stages.summary_markdown(report, folder), description="twcorpus run summary"
    )
    agencies = [
        {k: a[k] for k in ("agency", "records_read", "published", "tokens", "duplicates_removed")}
        for a in report["agencies"]
    ]
    create_table_artifact(key="corpus-agencies", table=agencies, description="documents and tokens per agency")
    create_link_artifact(
        key="corpus-report", link=(folder / "report.html").as_uri(), link_text="provenance report (report.html)"
    )
    return {**stages.summary(report), "report_dir": str(folder)}


def _opaque(cfg: LoadedConfig, value: Any) -> Any:
    """A task parameter Prefect does not walk for task dependencies (thousands of staged records: seconds of a
    no-op re-run). On the Dask task runner the task would get the wrapper, not the value: passed as it is."""
    return value if cfg.corpus.dask is not None else quote(value)


def _label(batch: list[Resource], n: int) -> str:
    """Task-run name suffix: the dataset id and the batch number."""
    return f"{batch[0].dataset.id}-{n}"


@flow(name="build-corpus", task_runner=ThreadPoolTaskRunner(max_workers=8), log_prints=True)
def build_corpus(
    config_path: str, output_dir: str | None = None, run_id: str | None = None, workers: int | None = None
) -> dict[str, Any]:
    """Build the corpus a config describes; returns the run summary (counts, tokens, where things are).

    `workers` (default: the config's) > 1 extracts batches in that many worker processes.
    """
    cfg = load_config(config_path, output_dir)
    ctx = make_context(cfg, run_id)
    if cfg.corpus.dask is not None:
        on_dask = build_corpus_on_dask.with_options(task_runner=dask_task_runner(cfg.corpus.dask))
        return on_dask(config_path, output_dir, ctx.run_id)
    n = workers or cfg.corpus.workers
    with extraction.extraction_workers(cfg, n, ctx.run_id):  # or those the caller started for this run id
        return _build(cfg, ctx, n)


class DaskModeError(RuntimeError):
    """Dask mode without a Prefect server the workers can report to."""


def dask_task_runner(dask: DaskConfig) -> Any:
    """prefect-dask's runner for an existing scheduler (`address`) or a LocalCluster living as long as the run.

    Every task reports its state from the worker that runs it, to the Prefect API of this run: an ephemeral
    in-process API would make each worker start a server of its own, so a real server is required.
    """
    from prefect.settings import get_current_settings
    from prefect_dask import DaskTaskRunner

    if not get_current_settings().api.url:
        raise DaskModeError(
            "dask: the workers need a Prefect server to report to; set PREFECT_API_URL "
            "(`twcorpus run` starts a local server itself when the cluster is a LocalCluster)"
        )
    for name, level in (("distributed", logging.WARNING), ("distributed.shuffle", logging.ERROR)):
        logging.getLogger(name).setLevel(level)  # cluster chatter; p2p shuffles warn on every start
    if dask.address:
        return DaskTaskRunner(address=dask.address)
    local = {
        "n_workers": dask.workers,
        "threads_per_worker": dask.threads_per_worker,
        "processes": True,
        "host": "127.0.0.1",
        "dashboard_address": None,
    }
    return DaskTaskRunner(cluster_class="distributed.LocalCluster", cluster_kwargs=local)


@flow(name="build-corpus-on-dask", log_prints=True)
def build_corpus_on_dask(config_path: str, output_dir: str | None, run_id: str) -> dict[str, Any]:
    """The build with every task on the Dask cluster of its task runner (see `dask_task_runner`): fetches and
    extractions spread over the workers, and publish groups the LSH buckets on the cluster."""
    cfg = load_config(config_path, output_dir)
    dask = cfg.corpus.dask
    parallel = dask.workers * dask.threads_per_worker if dask and not dask.address else 8
    return _build(cfg, make_context(cfg, run_id), parallel)


def _build(cfg: LoadedConfig, ctx: RunContext, parallel: int) -> dict[str, Any]:
    """The run, with its lineage: START, then COMPLETE naming inputs and outputs, or FAIL."""
    lineage.emit(cfg, ctx, "START")
    try:
        summary, sidecars, manifest = _stages(cfg, ctx, parallel)
    except BaseException:
        lineage.emit(cfg, ctx, "FAIL")
        raise
    lineage.emit(cfg, ctx, "COMPLETE", sidecars, manifest)
    return summary


def _stages(
    cfg: LoadedConfig, ctx: RunContext, parallel: int
) -> tuple[dict[str, Any], list[StagedResource], dict[str, Any]]:
    """The stages in order; `parallel` (processes extracting at once) sizes the batches so all stay busy."""
    clock = StageClock()
    with clock.stage("discover"):
        if change_sources(cfg):  # what changed on data.gov.tw since the last run: a child flow
            plan = catalogue_sync(str(cfg.path), cfg.corpus.output_dir, ctx.run_id)
        else:
            plan = discover_task(cfg, ctx)
    resources, carried, carried_refs = plan.resources, plan.carried, plan.carried_fetched

    with clock.stage("fetch_extract"):
        # Local files staged by an earlier run from the same bytes need no task: a stat and a look-up each.
        reused, todo = stages.reuse_local(cfg, ctx, resources)
        pool = extraction.for_run(ctx.run_id)
        if pool is not None and (todo or carried):  # until now the cores went to the server and the flow's start
            pool.warm()
        ready: dict[int, tuple[Any, StagedResource]] = {id(r): (f, sc) for r, f, sc in reused}
        batches = stages.plan_batches(todo, spread=2 * parallel)
        labels = [_label(b, n) for n, b in enumerate(batches)]
        fetched: list[Any] = []
        staged: list[Any] = []
        for batch, label in zip(batches, labels, strict=True):
            # Interleaved, so a batch is extracted as soon as its bytes are there, not after every fetch: the
            # task runner's threads start tasks in submission order, and a fetch always precedes its extract.
            fetched.append(fetch_task.submit(cfg, ctx, batch, label))
            staged.append(extract_task.submit(cfg, ctx, batch, fetched[-1], label))
        kept = stages.plan_batches(carried, spread=2 * parallel)  # not listed by the change export: bytes are here
        carried_left = iter(carried_refs)
        for n, batch in enumerate(kept):
            label = f"{batch[0].dataset.id}-carried-{n}"
            staged.append(extract_task.submit(cfg, ctx, batch, [next(carried_left) for _ in batch], label))
        position = {future: i for i, future in enumerate(staged)}
        results: dict[int, list[StagedResource]] = {}
        done, records = len(reused), sum(sc.records_read for _, _, sc in reused)
        _progress("extract", done, len(resources) + len(carried), records)
        for future in as_completed(staged):
            results[position[future]] = part = future.result()
            done += len(part)
            records += sum(sc.records_read for sc in part)
            _progress("extract", done, len(resources) + len(carried), records)
        for i, batch in enumerate(batches):
            for resource, ref, sc in zip(batch, fetched[i].result(), results[i], strict=True):
                ready[id(resource)] = (ref, sc)
        carried_sidecars = [sc for i in range(len(batches), len(staged)) for sc in results[i]]
        sidecars = [ready[id(r)][1] for r in resources] + carried_sidecars  # the order of discovery, always
        refs = [ready[id(r)][0] for r in resources] + carried_refs
        resources = resources + carried
    extraction.release(ctx.run_id)  # the workers' memory (dictionaries, tokenizer) is not needed by publish

    with clock.stage("publish"):
        _progress("publish", 0, 1, records)
        manifest = publish_task.submit(cfg, ctx, _opaque(cfg, sidecars)).result()  # a Dask worker in Dask mode
        _progress("publish", 1, 1, records)
        stages.remember_run(ctx, resources, refs)
        if not any(r.format == "unavailable" and r.dataset.id == "catalog" for r in resources):
            stages.remember_exports(cfg, ctx)  # every export read: the next run starts from tomorrow's
    summary = report_task.submit(
        cfg, ctx, _opaque(cfg, sidecars), _opaque(cfg, manifest), clock.wall, clock.cpu
    ).result()
    for why in summary["refused"]:
        get_run_logger().error(why)
    return summary, sidecars, manifest
