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
    from pipeline.workers import ExtractionPool

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
