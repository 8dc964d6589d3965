"""A re-run with nothing changed is nearly free: unchanged local files are not read again (size, times and
inode as the ledger last saw them), and their staged records are found without a task."""

from __future__ import annotations

import json
import os
from pathlib import Path

from pipeline.config import load_config
from pipeline.fetch import http
from pipeline.paths import make_context
from pipeline.stages import discover_resources, extract_resource, fetch_resource, reuse_local
from tests.conftest import jsonl_source, notices


def _write(path: Path, rows: list[dict]) -> None:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")


def test_unchanged_files_are_not_hashed_again_and_need_no_task(write_config, tmp_path, monkeypatch):
    for name in ("a", "b", "c"):
        _write(tmp_path / f"{name}.jsonl", notices(name, 2))
    sources = [
        {**jsonl_source(f"{name}.jsonl"), "dataset": {"id": name, "license": "OGDL-Taiwan-1.0"}} for name in "abc"
    ]
    cfg = load_config(write_config({"sources": sources}))
    ctx = make_context(cfg)
    first = [extract_resource(cfg, ctx, r, fetch_resource(cfg, ctx, r)) for r in discover_resources(cfg, ctx)]

    hashed: list[Path] = []
    real = http.sha256_file
    monkeypatch.setattr(http, "sha256_file", lambda path: hashed.append(Path(path)) or real(path))
    ctx = make_context(cfg)
    reused, todo = reuse_local(cfg, ctx, discover_resources(cfg, ctx))
    assert hashed == [] and todo == []
    assert [sc.key for _, _, sc in reused] == [sc.key for sc in first]

    # one file changes (same size, new content and time): only it is read again, and only it needs work
    changed = tmp_path / "b.jsonl"
    _write(changed, [{**row, "text": row["text"].replace("公告", "通告")} for row in notices("b", 2)])
    stat = changed.stat()
    os.utime(changed, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    reused, todo = reuse_local(cfg, make_context(cfg), discover_resources(cfg, ctx))
    assert hashed == [changed] and [r.url for r in todo] == ["b.jsonl"]
    assert len(reused) == 2
