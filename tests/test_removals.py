"""Removal requests through real runs: `twcorpus remove` by id, dataset and pattern; the ledger applied by every
later publish, also to a re-posted copy; `verify` names a release that holds a removed document."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import yaml
from typer.testing import CliRunner

from flows.cli import app
from pipeline.atomic import sha256_file
from pipeline.config import load_config
from pipeline.paths import make_context
from pipeline.publish.verify import verify_release
from pipeline.stages import discover_resources, extract_resource, fetch_resource, publish
from tests.conftest import notices

NOTICE_WITH_ID = (
    "公告：本府受理陳情案，陳情人陳美玲君（身分證統一編號A123456789）反映巷道積水問題，業經工務局派員會勘，"
    "將於下月辦理排水溝清疏工程，請沿線住戶配合移置停放車輛。"
)


def _jsonl(path: Path, rows: list[dict[str, str]]) -> None:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")


def _source(name: str, dataset: str) -> dict[str, Any]:
    return {
        "kind": "local",
        "paths": [name],
        "format": "jsonl",
        "text_field": "text",
        "id_field": "id",
        "dataset": {"id": dataset, "agency": "臺南市政府", "license": "OGDL-Taiwan-1.0"},
    }


def _run(config: Path) -> dict[str, Any]:
    cfg = load_config(config)
    ctx = make_context(cfg)
    staged = [extract_resource(cfg, ctx, r, fetch_resource(cfg, ctx, r)) for r in discover_resources(cfg, ctx)]
    return publish(cfg, ctx, staged)


def _rows(folder: Path, part: str) -> list[dict[str, Any]]:
    return pq.read_table(folder / part).to_pylist() if (folder / part).exists() else []


def _remove(corpus: Path, *args: str) -> str:
    done = CliRunner().invoke(app, ["remove", "--corpus", str(corpus), *args])
    assert done.exit_code == 0, done.output
    return done.output


def test_a_removal_is_honoured_now_and_by_every_later_run(write_config, tmp_path):
    rows = notices("news", 6)
    _jsonl(tmp_path / "news.jsonl", [{"id": "n-id", "text": NOTICE_WITH_ID}, *rows])
    _jsonl(tmp_path / "other.jsonl", [{"id": "o1", "text": "轉載：" + rows[2]["text"]}])
    config = write_config({"sources": [_source("news.jsonl", "news"), _source("other.jsonl", "other")]})
    corpus = tmp_path / "corpus"
    _run(config)
    published = {r["source_record_id"]: r for r in _rows(corpus, "data")}
    assert "n-id" in published and len({"news2", "o1"} & set(published)) == 1  # o1 is news2's re-post

    # 1. by id: the document leaves the release in place, nothing is extracted again
    staged_before = sorted((tmp_path / "data").rglob("*.arrow"))
    out = _remove(corpus, "--id", published["n-id"]["id"], "--reason", "personal data: a national ID number")
    assert "1 removed by request" in out
    assert sorted((tmp_path / "data").rglob("*.arrow")) == staged_before
    ledger = yaml.safe_load((tmp_path / "removals.yaml").read_text(encoding="utf-8"))
    assert ledger[0]["ids"] == [published["n-id"]["id"]] and ledger[0]["reason"].startswith("personal data")
    assert "n-id" not in {r["source_record_id"] for r in _rows(corpus, "data")}
    [gone] = [r for r in _rows(corpus, "rejected") if r["source_record_id"] == "n-id"]
    assert gone["reason"] == "removed" and gone["text"] is None and gone["title"] is None
    assert "removal request 1" in gone["reason_detail"]
    card = (corpus / "README.md").read_text(encoding="utf-8")
    assert "## Removals" in card and "personal data: a national ID number" in card and "A123456789" not in card
    assert verify_release(corpus).ok

    # 2. by pattern: the original and its re-post elsewhere (one cluster) go together, none promoted
    _remove(corpus, "--match", "第2號news公告", "--reason", "withdrawn by the agency", "--requested-by", "臺南市政府")
    left = {r["source_record_id"] for r in _rows(corpus, "data")}
    assert "news2" not in left and "o1" not in left
    reasons = {r["source_record_id"]: r["reason"] for r in _rows(corpus, "rejected")}
    assert reasons["news2"] == reasons["o1"] == "removed"

    # 3. a later run with the removed records still in the input: still out
    _run(config)
    left = {r["source_record_id"] for r in _rows(corpus, "data")}
    assert not {"n-id", "news2", "o1"} & left and len(left) == 5

    # 4. by dataset
    _remove(corpus, "--dataset", "other", "--reason", "dataset withdrawn")
    manifest = json.loads((corpus / "manifest.json").read_text(encoding="utf-8"))
    assert [r["request"] for r in manifest["removals"]] == [1, 2, 3]
    # each document counts under the earliest request that matches it: o1 is in dataset `other` and re-posts news2
    assert [r["documents"] for r in manifest["removals"]] == [1, 2, 0]


def test_a_copy_of_a_removed_document_turning_up_later_is_removed_too(write_config, tmp_path):
    """The removed text is gone from the inputs; its copy re-posted by another agency is caught by the
    release's tombstones (dedup key and signature of the removed document)."""
    rows = notices("gazette", 4)
    _jsonl(tmp_path / "gazette.jsonl", [{"id": "g-id", "text": NOTICE_WITH_ID}, *rows])
    first = write_config({"sources": [_source("gazette.jsonl", "gazette")]})
    corpus = tmp_path / "corpus"
    _run(first)
    doc_id = next(r["id"] for r in _rows(corpus, "data") if r["source_record_id"] == "g-id")
    _remove(corpus, "--id", doc_id, "--reason", "personal data")
    _jsonl(tmp_path / "gazette.jsonl", rows)
    repost = NOTICE_WITH_ID.replace("公告：", "【轉載】公告：").replace("下月", "下個月")
    _jsonl(tmp_path / "repost.jsonl", [{"id": "r1", "text": repost}])
    second = write_config({"sources": [_source("gazette.jsonl", "gazette"), _source("repost.jsonl", "repost")]})
    _run(second)
    assert "r1" not in {r["source_record_id"] for r in _rows(corpus, "data")}
    [caught] = [r for r in _rows(corpus, "rejected") if r["source_record_id"] == "r1"]
    assert caught["reason"] == "removed" and caught["text"] is None


def test_verify_names_a_release_that_holds_a_removed_document(write_config, tmp_path):
    _jsonl(tmp_path / "news.jsonl", notices("news", 3))
    config = write_config({"sources": [_source("news.jsonl", "news")]})
    corpus = tmp_path / "corpus"
    _run(config)
    [entry] = json.loads((corpus / "manifest.json").read_text(encoding="utf-8"))["shards"]
    before = pq.read_table(corpus / entry["path"])
    removed_id = next(r["id"] for r in before.to_pylist() if r["source_record_id"] == "news1")
    _remove(corpus, "--id", removed_id, "--reason", "taken down")
    assert verify_release(corpus).ok
    # put the removed row back, as a careless copy of an old release would
    pq.write_table(pa.Table.from_pylist(before.to_pylist(), schema=before.schema), corpus / entry["path"])
    manifest = json.loads((corpus / "manifest.json").read_text(encoding="utf-8"))
    path = corpus / entry["path"]
    manifest["shards"] = [{**entry, "rows": 3, "bytes": path.stat().st_size, "sha256": sha256_file(path)}]
    (corpus / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    checked = verify_release(corpus)
    assert checked.failed["removals"] == 1
    assert any(removed_id in p and "removal request 1" in p and "removes it" in p for p in checked.problems)
    done = CliRunner().invoke(app, ["verify", str(corpus)])
    assert done.exit_code == 1 and "removes it" in done.output
