"""Cost of the persistent dedup index: build time, disk and memory per published document, lookup speed.

Publishes N synthetic documents into an index (random signatures: every document distinct), then looks up
a later run of Q documents of which a share are copies of published ones, the way `dedup.against` does.
Memory is sampled around each step; the index is memory-mapped, so lookups should not grow with N.

    .venv/bin/python benchmarks/dedup/index_bench.py --published 1000000 --queries 50000
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench import PeakRss  # noqa: E402

from pipeline.config import DedupConfig  # noqa: E402
from pipeline.dedup.index import IndexWriter, PublishedIndex, settings_of  # noqa: E402
from pipeline.dedup.lsh import band_keys  # noqa: E402

CHUNK = 50_000


def _hex(values: np.ndarray) -> list[str]:
    """Exact keys shaped like the pipeline's (128-bit hashes in hex): distinct and spread in their first 64 bits."""
    return [f"{(v * 0x9E3779B97F4A7C15) & (2**64 - 1):016x}{v:016x}" for v in values.tolist()]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--published", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=50_000)
    parser.add_argument("--copies", type=float, default=0.1, help="share of queries that copy a published document")
    args = parser.parse_args()
    cfg = DedupConfig()
    settings = settings_of(cfg.num_perm, cfg.ngram, cfg.seed, cfg.bands, cfg.rows)
    rng = np.random.default_rng(1)
    n = args.published
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "release" / "dedup-index"
        with PeakRss() as build_mem:
            t0 = time.perf_counter()
            writer = IndexWriter(folder, settings)
            for start in range(0, n, CHUNK):
                m = min(CHUNK, n - start)
                sigs = rng.integers(0, 2**32, (m, cfg.num_perm), dtype=np.uint32)
                writer.add(
                    [f"doc{start + i}" for i in range(m)],
                    _hex(np.arange(start, start + m)),
                    [None] * m,
                    [1000] * m,
                    [row.tobytes() for row in sigs.astype("<u4")],
                )
            writer.close()
            t_build = time.perf_counter() - t0
        disk = {p.name: p.stat().st_size for p in folder.iterdir()}
        total = sum(disk.values())
        print(f"published {n:,} documents: index built in {t_build:.1f} s ({n / t_build:,.0f} docs/s)")
        print(
            f"  disk {total / 2**20:,.0f} MiB = {total / n:,.0f} bytes per document "
            f"({', '.join(f'{k} {v / 2**20:,.0f} MiB' for k, v in sorted(disk.items()))})"
        )
        grown = build_mem.peak - build_mem.start
        print(f"  build memory: peak {build_mem.peak:,.0f} MiB (+{grown:,.0f} MiB) anonymous")

        q = args.queries
        n_copies = int(q * args.copies)
        with PeakRss() as query_mem:
            t0 = time.perf_counter()
            index = PublishedIndex(folder.parent)
            t_open = time.perf_counter() - t0
            copied = rng.choice(n, n_copies, replace=False)
            published = index.rows(np.sort(copied))["signature"]
            queries = np.concatenate(
                [
                    np.stack([np.frombuffer(b, "<u4") for b in published]),
                    rng.integers(0, 2**32, (q - n_copies, cfg.num_perm), dtype=np.uint32),
                ]
            )
            t0 = time.perf_counter()
            keys = band_keys(queries, cfg.bands, cfg.rows)
            found = index.match(keys, _hex(np.arange(n, n + q)), exclude_ids=set())
            t_match = time.perf_counter() - t0
        print(
            f"lookup of {q:,} documents ({n_copies:,} copies): open {t_open * 1000:.0f} ms, match {t_match:.2f} s "
            f"({q / t_match:,.0f} docs/s), {len(found.numbers):,} published documents matched"
        )
        grown = query_mem.peak - query_mem.start
        print(
            f"  lookup memory: peak {query_mem.peak:,.0f} MiB (+{grown:,.0f} MiB) anonymous; "
            f"with mapped index pages {query_mem.peak_total:,.0f} MiB"
        )


if __name__ == "__main__":
    main()
