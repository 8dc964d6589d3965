"""Extraction across processes on one machine: decoding, normalising, segmenting and counting are Python-bound,
so threads share one core; worker processes use them all.

Workers are spawned (safe beside the orchestrator's threads) and warmed once: OpenCC converters, the jieba
Traditional dictionary and the tokenizer are built when a worker starts, not per resource. A batch goes to a
worker as its config, context and resources; only sidecars (small dicts) come back -- text stays on disk.
"""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from typing import Any

from pipeline.config import LoadedConfig
from pipeline.extract import FetchedRef
from pipeline.paths import RunContext
from pipeline.sources import Resource


def _warm(cfg: LoadedConfig) -> None:
    from pipeline.normalize.chinese import converter
    from pipeline.normalize.segment import tokenizer

    norm = cfg.corpus.normalize
    if norm.convert != "none":
        converter(norm.convert)
    converter("t2s")  # the hashing view
    if norm.segment:
        tokenizer()
    cfg.token_counter()


def _extract(cfg: LoadedConfig, ctx: RunContext, batch: list[Resource], fetched: list[FetchedRef]) -> list[dict]:
    from pipeline.extract import extract_resource

    return [extract_resource(cfg, ctx, r, f) for r, f in zip(batch, fetched, strict=True)]


class ExtractionPool:
    """A pool of warmed extraction workers for one run; use as a context manager."""

    def __init__(self, cfg: LoadedConfig, workers: int) -> None:
        self.workers = workers
        self._pool = ProcessPoolExecutor(
            max_workers=workers, mp_context=get_context("spawn"), initializer=_warm, initargs=(cfg,)
        )

    def extract_batch(
        self, cfg: LoadedConfig, ctx: RunContext, batch: list[Resource], fetched: list[FetchedRef]
    ) -> list[dict[str, Any]]:
        return self._pool.submit(_extract, cfg, ctx, batch, fetched).result()

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> ExtractionPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
