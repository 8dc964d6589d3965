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
        spawned: list = []

        def both_spawned() -> bool:  # a child shows its own command line only once it has exec'd
            spawned[:] = [p for p in _live_children() if "spawn_main" in " ".join(p.cmdline())]
            return len(spawned) == 2

        _wait_for(both_spawned, "two spawned workers before any batch")
        summary = build_corpus(config_path=str(SAMPLE_CONFIG), run_id=run_id, workers=2)
        assert for_run(run_id) is None  # released when extraction ended
        assert all(not p.is_running() or p.status() == psutil.STATUS_ZOMBIE for p in spawned)
    assert summary["run_id"] == run_id and summary["published"] > 0
    assert used and all(p is pool for p in used)


def _maps(proc) -> str:
    try:
        return " ".join(m.path for m in proc.memory_maps(grouped=True))
    except Exception:  # psutil.Error, or the process exited between the two calls
        return ""


def _wait_for(condition, what: str, timeout_s: float = 120) -> None:
    import time

    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, f"no {what} after {timeout_s} s"
        time.sleep(0.05)


def test_workers_warm_up_only_after_their_go_ahead_and_never_hold_a_shutdown():
    """`twcorpus run` spawns its workers while its Prefect server boots; they wait for the go-ahead before they
    load the converters and dictionaries, and a run that ends before giving it (bad input, or nothing to
    extract) is not held up: they stop without loading them."""
    import threading
    import time

    from pipeline.config import load_config
    from pipeline.extract.workers import ExtractionPool, start_gate

    cfg = load_config(SAMPLE_CONFIG)
    warm_up = 0.0
    for go in (True, False):
        gate = start_gate()
        pool = ExtractionPool(cfg, 1, gate).start()
        [worker] = _wait_until_spawned()
        _wait_for(lambda w=worker: "pydantic_core" in _maps(w), "config unpickled in the worker")
        if go:
            gate.set()
            started = time.monotonic()
            _wait_for(lambda w=worker: "opencc" in _maps(w), "OpenCC loaded after the go-ahead")
            warm_up = time.monotonic() - started
        else:  # three times as long as it took to load OpenCC once allowed: still not loaded
            deadline = time.monotonic() + max(2.0, 3 * warm_up)
            while time.monotonic() < deadline:
                assert "opencc" not in _maps(worker)
                time.sleep(0.1)
        started = time.monotonic()
        closing = threading.Thread(target=pool.close)
        closing.start()
        while closing.is_alive():
            assert go or "opencc" not in _maps(worker)  # never given work: no warm-up on the way out
            time.sleep(0.02)
        assert time.monotonic() - started < 60  # the gate's own wait is 120 s: close() opened it
        assert not worker.is_running() or worker.status() == "zombie"


def _wait_until_spawned() -> list:
    found: list = []

    def spawned() -> bool:
        found[:] = [p for p in _live_children() if "spawn_main" in " ".join(p.cmdline())]
        return len(found) == 1

    _wait_for(spawned, "spawned worker")
    return found
