"""Publishing never leaves half a corpus: SIGKILL at any moment of the publish step, or a disk that fills up
while the release is written, leaves the previous release in place and intact, and the next run finishes."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from pipeline.atomic import sha256_file
from tests.conftest import run_flow_in, start_cli

_HAN = [chr(c) for c in range(0x4E00, 0x4E00 + 3000)]


def _write_docs(path: Path, start: int, n: int, chars: int = 400) -> None:
    """n distinct, incompressible documents (random Han text from a seeded generator)."""
    rng = random.Random(start)
    with path.open("w", encoding="utf-8") as fh:
        for i in range(start, start + n):
            text = "".join(rng.choices(_HAN, k=chars)) + "。"
            fh.write(json.dumps({"id": f"d{i}", "text": text}, ensure_ascii=False) + "\n")


def _config(tmp_path: Path, output_dir: Path, shard_rows: int = 50) -> Path:
    body = {
        "output_dir": str(output_dir),
        "data_dir": str(tmp_path / "data"),
        "tokens": {"tokenizer": None},
        "normalize": {"segment": False},
        "publish": {"shard_rows": shard_rows},
        "sources": [
            {
                "kind": "local",
                "paths": [str(tmp_path / "in/*.jsonl")],
                "format": "jsonl",
                "text_field": "text",
                "id_field": "id",
                "dataset": {"id": "crash-test", "agency": "測試機關", "license": "OGDL-Taiwan-1.0"},
            }
        ],
    }
    path = tmp_path / "crash.yaml"
    path.write_text(yaml.safe_dump(body, allow_unicode=True), encoding="utf-8")
    return path


def assert_intact(release: Path, run_id: str) -> None:
    """The release is the one `run_id` published: every listed file has its size and hash, nothing else is there."""
    manifest = json.loads((release / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["run_id"] == run_id
    listed = manifest["shards"] + manifest["rejected_files"] + manifest["dedup_index"]["files"]
    for entry in listed:
        path = release / entry["path"]
        assert path.stat().st_size == entry["bytes"] and sha256_file(path) == entry["sha256"], entry["path"]
    parquet = {p.relative_to(release).as_posix() for p in release.rglob("*.parquet")}
    assert parquet == {e["path"] for e in manifest["shards"] + manifest["rejected_files"]}, "no stray shard"


def _kill_when(tmp_path: Path, config: Path, ready: Callable[[], bool], what: str) -> None:
    """Start `twcorpus run` and SIGKILL its whole process group the moment `ready()` holds."""
    run = start_cli(tmp_path, "run", "--config", str(config), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 300
        while not ready():
            assert run.poll() is None, f"the run ended before {what}"
            assert time.monotonic() < deadline, f"never saw {what}"
            time.sleep(0.001)
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
        run.wait()


def test_sigkill_during_publish_keeps_the_previous_release(prefect_harness, tmp_path):
    (tmp_path / "in").mkdir()
    _write_docs(tmp_path / "in/a.jsonl", 0, 300)
    config = _config(tmp_path, tmp_path / "corpus")
    [first] = run_flow_in(tmp_path, config)
    _write_docs(tmp_path / "in/b.jsonl", 10_000, 3000)  # the next release is rewritten, in 60+ shards

    def writing_shards() -> bool:
        tmp = next(tmp_path.glob(".corpus.tmp-*"), None)
        return tmp is not None and any(tmp.rglob("*.parquet"))

    _kill_when(tmp_path, config, writing_shards, "the new release's shards being written")
    assert_intact(tmp_path / "corpus", first["run_id"])

    [again] = run_flow_in(tmp_path, config)  # the next run finishes the work and cleans up
    assert again["published"] == 3300
    assert_intact(tmp_path / "corpus", again["run_id"])
    assert not list(tmp_path.glob(".corpus.*")), "no temp or old release left beside it"


@pytest.fixture
def small_disk(tmp_path):
    """A 2 MiB tmpfs mounted for the test (needs root, as in CI)."""
    disk = tmp_path / "disk"
    disk.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a small filesystem needs root")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(disk)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


def test_a_full_disk_fails_clearly_and_keeps_the_previous_release(prefect_harness, tmp_path, small_disk):
    from typer.testing import CliRunner

    from flows.cli import app

    (tmp_path / "in").mkdir()
    _write_docs(tmp_path / "in/a.jsonl", 0, 100)
    config = _config(tmp_path, small_disk / "corpus", shard_rows=500)
    [first] = run_flow_in(tmp_path, config)
    _write_docs(tmp_path / "in/b.jsonl", 10_000, 4000)  # ~1.6 M incompressible characters: more than the disk holds

    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        result = CliRunner().invoke(app, ["run", "--config", str(config)])
    finally:
        os.chdir(old)
    assert result.exit_code == 2, result.output
    message = " ".join(result.output.split())
    assert "No space left on device" in message and "the release in place is unchanged" in message
    assert str(small_disk / "corpus") in message
    assert_intact(small_disk / "corpus", first["run_id"])
    assert sorted(p.name for p in small_disk.iterdir()) == ["corpus"], "the half-written release is removed"
