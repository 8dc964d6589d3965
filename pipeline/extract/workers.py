"""Extraction across processes on one machine: decoding, normalising, segmenting and counting are Python-bound,
so threads share one core; worker processes use them all. (The words and tokens of a file split across workers
are counted at publish, in processes of its own: `publish.counts`.)

Workers are spawned (safe beside the orchestrator's threads) and warmed once: the OpenCC converters and the
MinHash permutations every file needs are built when a worker starts, not per resource (the compiled signing
loop loads with the first file of many documents: `dedup.signing`). The jieba Traditional dictionary and the
tokenizer (~0.5 s, ~120 MB) load at their first use: the parts of a file split across the workers never use
them. A batch goes to a worker as its config, context and resources; only sidecars (small dicts) come back --
text stays on disk.

This module imports little, so a worker spawned early can wait for its go-ahead (`start_gate`) before it
imports and warms the rest: at a run's start the cores go to the Prefect server booting first.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from multiprocessing import get_context
from multiprocessing.synchronize import Event
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pipeline.config import LoadedConfig
    from pipeline.extract.split import Share
    from pipeline.extract.staged import StagedResource
    from pipeline.fetch import FetchedRef
    from pipeline.paths import RunContext
    from pipeline.sources import Resource

GATE_WAIT_S = 120  # a worker whose go-ahead never comes warms anyway, then


def _warm(cfg: LoadedConfig, gate: Event | None = None, abandoned: Event | None = None) -> None:
    if gate is not None:
        gate.wait(GATE_WAIT_S)
    if abandoned is not None and abandoned.is_set():
        return  # closed before any work came (nothing to extract): no dictionaries to load for it
    from pipeline.gc_pause import collector_paused

    with collector_paused():
        from pipeline.dedup.minhash import permutations
        from pipeline.normalize.chinese import converter

        norm = cfg.corpus.normalize
        if norm.convert != "none":
            converter(norm.convert)
        converter("t2s")  # the hashing view
        if cfg.corpus.dedup.near:
            permutations(cfg.corpus.dedup.num_perm, cfg.corpus.dedup.seed)


def _extract(
    cfg: LoadedConfig, ctx: RunContext, batch: list[Resource], fetched: list[FetchedRef]
) -> list[StagedResource]:
    from pipeline.extract.resource import extract_resource

    return [extract_resource(cfg, ctx, r, f) for r, f in zip(batch, fetched, strict=True)]


def _extract_part(cfg: LoadedConfig, ctx: RunContext, resource: Resource, fetched: FetchedRef, share: Share) -> None:
    from pipeline.extract.resource import extract_part

    extract_part(cfg, ctx, resource, fetched, share)


def _merge(cfg: LoadedConfig, ctx: RunContext, resource: Resource, fetched: FetchedRef, parts: int) -> StagedResource:
    from pipeline.extract.resource import merge_parts

    return merge_parts(cfg, ctx, resource, fetched, parts)


def _ready() -> None:
    """Nothing: submitted once per worker so that each is spawned and warmed now."""


class ExtractionPool:
    """A pool of warmed extraction workers for one run; use as a context manager."""

    def __init__(self, cfg: LoadedConfig, workers: int, gate: Event | None = None) -> None:
        self.workers = workers
        self._gate = gate
        self._abandoned = get_context("spawn").Event() if gate is not None else None
        self._pool = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=get_context("spawn"),
            initializer=_warm,
            initargs=(cfg, gate, self._abandoned),
        )

    def start(self) -> ExtractionPool:
        """Spawn and warm every worker now, in the background, instead of at the first batch."""
        for _ in range(self.workers):
            self._pool.submit(_ready)
        return self

    def warm(self) -> None:
        """Let the workers import and warm up now, if they wait for a go-ahead."""
        if self._gate is not None:
            self._gate.set()

    def extract_batch(
        self, cfg: LoadedConfig, ctx: RunContext, batch: list[Resource], fetched: list[FetchedRef]
    ) -> list[StagedResource]:
        """The batch's staged records, in its order. A big file is split (split.py): its parts go to every
        worker at once and a worker merges them; the rest of the batch goes to one worker, as a whole."""
        self.warm()
        from pipeline.extract.resource import staged_already
        from pipeline.extract.split import Share, plan_split

        plans = [plan_split(cfg, r, f, self.workers) for r, f in zip(batch, fetched, strict=True)]
        whole = [i for i, plan in enumerate(plans) if plan is None]
        rest = (
            self._pool.submit(_extract, cfg, ctx, [batch[i] for i in whole], [fetched[i] for i in whole])
            if whole
            else None
        )
        split: dict[int, StagedResource] = {}
        parts: dict[int, list[Future[None]]] = {}
        for i, plan in enumerate(plans):  # every part of every big file first, so no worker waits on a merge
            if plan is None:
                continue
            staged = staged_already(cfg, ctx, batch[i], fetched[i])
            if staged is not None:
                split[i] = staged
                continue
            parts[i] = [
                self._pool.submit(_extract_part, cfg, ctx, batch[i], fetched[i], Share(k, plan.parts, plan.mode))
                for k in range(plan.parts)
            ]
        merges: dict[int, Future[StagedResource]] = {}
        for i, futures in parts.items():
            for part in futures:
                part.result()
            merges[i] = self._pool.submit(_merge, cfg, ctx, batch[i], fetched[i], len(futures))
        split |= {i: merge.result() for i, merge in merges.items()}
        done = dict(zip(whole, rest.result() if rest is not None else [], strict=True)) | split
        return [done[i] for i in range(len(batch))]

    def close(self) -> None:
        if self._abandoned is not None and self._gate is not None and not self._gate.is_set():
            self._abandoned.set()  # never given work: the workers stop without warming up
        self.warm()  # a worker still waiting for its go-ahead must not hold the shutdown
        self._pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> ExtractionPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


_RUNNING: dict[str, ExtractionPool] = {}  # run id -> its workers (processes cannot be a task's parameter)


def start_gate() -> Event:
    """A go-ahead for workers started early: they are spawned at once, and import and warm up once it is set."""
    return get_context("spawn").Event()


@contextmanager
def extraction_workers(cfg: LoadedConfig, workers: int, run_id: str, gate: Event | None = None) -> Iterator[None]:
    """The run's worker processes, started at once and known by its run id (`for_run`) until the block ends.

    `twcorpus run` enters this while Prefect is being imported and its API server boots, with a `gate` it sets
    once the server answers: the workers then import the pipeline and load their dictionaries and tokenizer
    while the flow starts, instead of at the first batch, and leave the cores to the server until then.
    """
    if workers <= 1 or run_id in _RUNNING:
        yield
        return
    with ExtractionPool(cfg, workers, gate).start() as pool:
        _RUNNING[run_id] = pool
        try:
            yield
        finally:
            _RUNNING.pop(run_id, None)


def for_run(run_id: str) -> ExtractionPool | None:
    return _RUNNING.get(run_id)


def release(run_id: str) -> None:
    """Stop the run's workers early (extraction is over; publish needs the memory, not the workers)."""
    pool = _RUNNING.pop(run_id, None)
    if pool is not None:
        pool.close()
