"""Word and token counts of the published documents of a resource split across workers (one big file),
counted at publish instead of at extraction.

After normalisation, counting is most of a document's cost (qwen tokens ~250 us and jieba words ~150 us for a
1,100-character document). A big file keeps every worker busy, and a file of re-posts drops half of its
documents as duplicates: counted at extraction, that half was counted for nothing, on the run's critical path.
(Small files are counted at extraction, where the workers wait on the run's orchestration anyway.) The report
and the card count tokens of published documents only, so nothing they show changes; the rejected rows of such
a file carry no counts. They are counted in `workers` processes of their own, started once publish knows what it
publishes (the verifying processes are gone by then, so the run's peak memory does not grow with them).

The counts of a staged file's rows are kept beside it (`<key>.counts.arrow`, one row per staged row, null where
not counted; the segmentation and the tokenizer label in its metadata), so publishing it again -- a removal
request, a changed dedup setting -- counts only rows it never published before.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing import current_process, get_context
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.feather as feather

from pipeline.atomic import atomic_write
from pipeline.columns import take_rows
from pipeline.dedup.pool import bounded
from pipeline.extract.staged import StepStat

if TYPE_CHECKING:
    from pipeline.config import LoadedConfig
    from pipeline.extract.staged import StagedResource

CHUNK = 256  # texts counted in one go (in a worker: one task)
PARALLEL_TEXTS = 2000  # fewer are counted in this process: starting workers (~1 s of a core each) costs more
UNCOUNTED = -1
COLUMNS = ("n_words", "n_tokens")


@dataclass(frozen=True)
class Counted:
    """Counts of some texts, in their order (None: not asked for), and the CPU seconds each kind took."""

    words: list[int | None]
    tokens: list[int | None]
    words_cpu: float = 0.0
    tokens_cpu: float = 0.0


# Keyed chunks of texts in, their keyed counts out, in any order: here, or in counting workers (`counter`).
CountChunks = Callable[[Iterator[tuple[int, list[str]]]], Iterator[tuple[int, Counted]]]


def count_texts(cfg: LoadedConfig, texts: list[str]) -> Counted:
    """jieba words (when `normalize.segment`) and tokens (when a tokenizer is configured) of each text; one kind
    over all the texts, then the other, so that each one's tables stay in the CPU cache."""
    from pipeline.normalize.segment import count_words

    words: list[int | None] = [None] * len(texts)
    tokens: list[int | None] = [None] * len(texts)
    started = time.thread_time()
    if cfg.corpus.normalize.segment:
        words = [count_words(t) for t in texts]
    words_cpu, started = time.thread_time() - started, time.thread_time()
    tokenizer = cfg.token_counter()
    if tokenizer is not None:
        tokens = [tokenizer.count(t) for t in texts]
    return Counted(words, tokens, words_cpu, time.thread_time() - started)


def here(cfg: LoadedConfig) -> CountChunks:
    """Chunks counted one after another in this process."""
    return lambda chunks: ((key, count_texts(cfg, texts)) for key, texts in chunks)


_CONFIG: LoadedConfig | None = None  # in a counting worker: the run's config


def _setup(cfg: LoadedConfig) -> None:
    """A counting worker loads the jieba dictionary and the tokenizer once."""
    global _CONFIG
    _CONFIG = cfg
    from pipeline.gc_pause import collector_paused
    from pipeline.normalize.segment import tokenizer

    with collector_paused():
        if cfg.corpus.normalize.segment:
            tokenizer()
        cfg.token_counter()


def _count(texts: list[str]) -> Counted:
    assert _CONFIG is not None
    return count_texts(_CONFIG, texts)


@contextmanager
def counter(cfg: LoadedConfig, texts: int) -> Iterator[CountChunks]:
    """How to count `texts` texts: in `workers` processes (a few chunks in flight at a time), or here when there
    are few, one worker is configured, or this process may start none (a daemonic one, e.g. a Dask worker)."""
    workers = cfg.corpus.workers
    if workers <= 1 or texts < PARALLEL_TEXTS or current_process().daemon:
        yield here(cfg)
        return
    with ProcessPoolExecutor(workers, mp_context=get_context("spawn"), initializer=_setup, initargs=(cfg,)) as pool:
        yield lambda chunks: bounded(pool, ((key, _count, (texts,)) for key, texts in chunks), 2 * workers)


@dataclass
class RowCounts:
    """One staged file's counts, aligned with its rows (UNCOUNTED where not counted)."""

    words: np.ndarray
    tokens: np.ndarray

    def missing(self, rows: np.ndarray) -> np.ndarray:
        """The rows of `rows` not counted yet (a counted row has words or tokens, whichever is configured)."""
        return rows[(self.words[rows] == UNCOUNTED) & (self.tokens[rows] == UNCOUNTED)]


def counts_path(staged: StagedResource) -> Path:
    return Path(staged.staged).with_suffix(".counts.arrow")


def _label(cfg: LoadedConfig) -> dict[bytes, bytes]:
    return {b"segment": str(cfg.corpus.normalize.segment).encode(), b"tokenizer": (cfg.token_label() or "").encode()}


def load_counts(cfg: LoadedConfig, staged: StagedResource, n_rows: int) -> RowCounts:
    """The counts kept beside a staged file, if counted with this segmentation and tokenizer; else none."""
    empty = RowCounts(np.full(n_rows, UNCOUNTED, np.int64), np.full(n_rows, UNCOUNTED, np.int64))
    path = counts_path(staged)
    try:
        table = feather.read_table(path)
    except (FileNotFoundError, pa.ArrowInvalid, OSError):
        return empty  # none yet, or unreadable: counted again
    if table.num_rows != n_rows or (table.schema.metadata or {}) != _label(cfg):
        return empty
    words, tokens = (pc.fill_null(table[name], UNCOUNTED).to_numpy().astype(np.int64) for name in COLUMNS)
    return RowCounts(words, tokens)


def save_counts(cfg: LoadedConfig, staged: StagedResource, counts: RowCounts) -> None:
    columns = {
        name: pa.array(values, pa.int64(), mask=values == UNCOUNTED)
        for name, values in zip(COLUMNS, (counts.words, counts.tokens), strict=True)
    }
    table = pa.table(columns).replace_schema_metadata(_label(cfg))
    atomic_write(counts_path(staged), lambda tmp: feather.write_feather(table, tmp, compression="uncompressed"))


def count_published(
    cfg: LoadedConfig,
    staged_files: list[StagedResource],
    reasons: dict[str, list[str | None]],
    steps: dict[str, StepStat],
) -> dict[str, RowCounts]:
    """The counts of the published rows (`reasons` None) of every staged file not counted at extraction: kept from
    an earlier publish where there are, the rest counted a chunk at a time (`counter`: the chunks of every staged
    file in one stream, so that workers stay busy across files) and kept beside each staged file for the next
    publish."""
    kinds = {"words": cfg.corpus.normalize.segment, "tokens": cfg.token_label() is not None}
    if not any(kinds.values()):
        return {}
    out: dict[str, RowCounts] = {}
    todo: list[tuple[StagedResource, np.ndarray]] = []
    for sc in staged_files:
        if sc.counted or sc.key not in reasons or sc.key in out:
            continue
        published = np.fromiter((r is None for r in reasons[sc.key]), dtype=bool, count=len(reasons[sc.key]))
        counts = out[sc.key] = load_counts(cfg, sc, len(published))
        missing = counts.missing(np.flatnonzero(published))
        if len(missing):
            todo.append((sc, missing))
    if not todo:
        return out
    where: list[tuple[str, np.ndarray]] = []  # the staged file and rows of each chunk, by chunk number

    def chunks() -> Iterator[tuple[int, list[str]]]:
        for sc, rows in todo:
            texts = feather.read_table(sc.staged, columns=["text"], memory_map=True)["text"]
            for start in range(0, len(rows), CHUNK):
                part = rows[start : start + CHUNK]
                where.append((sc.key, part))
                yield len(where) - 1, [t or "" for t in take_rows(texts, part)]

    stats = {kind: steps.setdefault(kind, StepStat()) for kind, counted in kinds.items() if counted}
    with counter(cfg, sum(len(rows) for _, rows in todo)) as counts:
        for number, got in counts(chunks()):
            key, part = where[number]
            out[key].words[part] = [UNCOUNTED if w is None else w for w in got.words]
            out[key].tokens[part] = [UNCOUNTED if t is None else t for t in got.tokens]
            for kind, step in stats.items():
                step.docs_in += len(part)
                step.docs_out += len(part)
                step.cpu_s += got.words_cpu if kind == "words" else got.tokens_cpu
    for sc, _ in todo:
        save_counts(cfg, sc, out[sc.key])
    return out
