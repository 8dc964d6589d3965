"""A run killed with SIGKILL mid-extraction: the next run finishes the work without redoing what was done
and publishes exactly what an uninterrupted run publishes. Real subprocesses, real signals."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import time
from pathlib import Path

import pyarrow.parquet as pq

from tests.conftest import run_flow_in, start_cli

FILES, ROWS = 32, 20
HAN = [chr(c) for c in range(0x4E00, 0x9FA5)]


def _corpus(folder: Path) -> Path:
    """A dataset of FILES JSONL files (one resource each), with some copies across files."""
    rng = random.Random(11)
    data = folder / "in"
    data.mkdir(parents=True)
    texts = [f"第{i}號公告：" + "".join(rng.choices(HAN, k=300)) for i in range(FILES * ROWS)]
    for f in range(FILES):
        rows = [{"id": f"{f}-{r}", "text": texts[f * ROWS + r]} for r in range(ROWS)]
        rows[0]["text"] = texts[(f * ROWS + 7) % len(texts)]  # an exact copy of another file's record
        (data / f"part-{f:03d}.jsonl").write_text(
            "".join(json.dumps(x, ensure_ascii=False) + "\n" for x in rows), encoding="utf-8"
        )
    config = folder / "run.yaml"
    config.write_text(
        "sources:\n  - kind: local\n    paths: ['in/*.jsonl']\n    format: jsonl\n    text_field: text\n"
        "    id_field: id\n    dataset: {id: notices, agency: 某機關, license: OGDL-Taiwan-1.0}\n",
        encoding="utf-8",
    )
    return config


def _run(config: Path, cwd: Path, **kwargs) -> subprocess.Popen:
    return start_cli(cwd, "run", "--config", str(config), **kwargs)


def _sidecars(cwd: Path) -> list[Path]:
    return sorted((cwd / "data/work/staged").glob("*/*.json"))


def _rows(corpus: Path, folder: str) -> list[dict]:
    return pq.read_table(corpus / folder).drop_columns(["run_id", "retrieved_at"]).sort_by("id").to_pylist()


def test_sigkill_mid_extraction_then_resume(prefect_harness, tmp_path):
    killed = tmp_path / "killed"
    config = _corpus(killed)
    proc = _run(config, killed, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 180
    while len(_sidecars(killed)) < FILES // 4:
        assert proc.poll() is None, "the run ended before it could be killed"
        assert time.monotonic() < deadline, "extraction never started"
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)  # the CLI, its flow and the Prefect server it started
    proc.wait()
    done_before = {p.name for p in _sidecars(killed)}
    assert FILES // 4 <= len(done_before) < FILES, "killed mid-extraction"
    assert not (killed / "data/corpus").exists(), "nothing published by the killed run"

    resumed = _run(config, killed, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    out, _ = resumed.communicate(timeout=600)
    assert resumed.returncode == 0, out
    report = json.loads(next((killed / "data/reports").glob("2*/report.json")).read_text(encoding="utf-8"))
    assert report["totals"]["resources_reused"] == len(done_before)  # finished resources not redone
    assert {p.name for p in _sidecars(killed)} >= done_before and len(_sidecars(killed)) == FILES

    clean = tmp_path / "clean"  # the same data, one uninterrupted run (in this process)
    run_flow_in(clean, _corpus(clean))
    a, b = killed / "data/corpus", clean / "data/corpus"
    manifest_a = json.loads((a / "manifest.json").read_text(encoding="utf-8"))
    manifest_b = json.loads((b / "manifest.json").read_text(encoding="utf-8"))
    assert manifest_a["content_sha256"] == manifest_b["content_sha256"]
    assert manifest_a["documents"] == manifest_b["documents"] == FILES * ROWS - FILES
    assert _rows(a, "data") == _rows(b, "data") and _rows(a, "rejected") == _rows(b, "rejected")
