"""Extraction in worker processes publishes exactly what extraction in the run's process does."""

import json
import os

import pyarrow.parquet as pq

from tests.conftest import SAMPLE_CONFIG


def _rows(folder):
    table = pq.read_table(folder).drop_columns(["run_id", "retrieved_at"]).sort_by("id")
    return table.to_pylist()


def test_two_worker_processes_publish_the_same_corpus(sample_run, tmp_path, monkeypatch):
    from flows.build_corpus import build_corpus
    from pipeline.extract.workers import ExtractionPool

    batches = []
    real = ExtractionPool.extract_batch

    def counted(self, cfg, ctx, batch, fetched):
        batches.append(len(batch))
        return real(self, cfg, ctx, batch, fetched)

    monkeypatch.setattr(ExtractionPool, "extract_batch", counted)
    events: list[tuple[str, int, int, int]] = []
    monkeypatch.setattr("flows.build_corpus.PROGRESS", [lambda *e: events.append(e)])
    work, _first, _ = sample_run
    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        summary = build_corpus(config_path=str(SAMPLE_CONFIG), workers=2)
    finally:
        os.chdir(old)
    assert summary["resources_reused"] == 0 and sum(batches) == summary["resources"]  # all went to the workers
    extract = [e for e in events if e[0] == "extract"]  # what the CLI's progress bars show
    assert extract[0][1] == 0 and extract[-1][1] == extract[-1][2] == summary["resources"]
    assert [e[1] for e in extract] == sorted(e[1] for e in extract) and extract[-1][3] == summary["records_read"]
    assert events[-1] == ("publish", 1, 1, summary["records_read"])
    single = json.loads((work / "data/corpus/manifest.json").read_text(encoding="utf-8"))
    pooled = json.loads((tmp_path / "data/corpus/manifest.json").read_text(encoding="utf-8"))
    assert pooled["documents"] == single["documents"] > 0
    for folder in ("data", "rejected"):  # same rows; only the fetch time of this separate run differs
        a, b = _rows(work / "data/corpus" / folder), _rows(tmp_path / "data/corpus" / folder)
        assert a == b


def _live_children() -> list:
    """This process's children that are running (an earlier test's exited child may linger as a zombie)."""
    import psutil

    out = []
    for proc in psutil.Process().children():
        try:
            if proc.status() != psutil.STATUS_ZOMBIE:
                proc.cmdline()
                out.append(proc)
        except psutil.Error:
            continue
    return out


def test_workers_started_before_the_flow_are_the_ones_it_uses(tmp_path, monkeypatch):
    """`twcorpus run` starts the workers before Prefect (they warm up meanwhile); the flow must use those,
    not start its own, and stop them before publishing."""
    import psutil

    from flows.build_corpus import build_corpus
    from pipeline.config import load_config
    from pipeline.extract.workers import ExtractionPool, extraction_workers, for_run
    from pipeline.paths import new_run_id

    used = []
    real = ExtractionPool.extract_batch

    def counted(self, cfg, ctx, batch, fetched):
        used.append(self)
        return real(self, cfg, ctx, batch, fetched)

    monkeypatch.setattr(ExtractionPool, "extract_batch", counted)
    monkeypatch.chdir(tmp_path)
    run_id = new_run_id()
    with extraction_workers(load_config(SAMPLE_CONFIG), 2, run_id):
        pool = for_run(run_id)
        assert pool is not None
        spawned = [p for p in _live_children() if "spawn_main" in " ".join(p.cmdline())]
        assert len(spawned) == 2  # both started now, before any batch
        summary = build_corpus(config_path=str(SAMPLE_CONFIG), run_id=run_id, workers=2)
        assert for_run(run_id) is None  # released when extraction ended
        assert all(not p.is_running() or p.status() == psutil.STATUS_ZOMBIE for p in spawned)
    assert summary["run_id"] == run_id and summary["published"] > 0
    assert used and all(p is pool for p in used)
