"""Restricted sources publish into their own release, never into the public corpus."""

import json

import pyarrow.feather as feather
import pyarrow.parquet as pq

from pipeline.config import load_config
from pipeline.paths import make_context
from pipeline.publish.verify import verify_release
from pipeline.report import build_report
from pipeline.stages import discover_resources, extract_resource, fetch_resource, publish


def _jsonl(path, rows):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")


def test_restricted_datasets_go_to_their_own_release(write_config, tmp_path):
    shared = "本機關依政府資料開放授權條款公開之業務統計說明，請各單位於期限內完成資料更新並回報辦理情形。"
    _jsonl(tmp_path / "open.jsonl", [{"id": f"o{i}", "text": f"第{i}則公開公告：{shared}"} for i in range(4)])
    closed_rows = [{"id": "c0", "text": "第0則公開公告：" + shared}, {"id": "c1", "text": "內部資料"}]
    _jsonl(tmp_path / "closed.jsonl", closed_rows)
    source = {"kind": "local", "format": "jsonl", "text_field": "text", "id_field": "id"}
    cfg = load_config(
        write_config(
            {
                "sources": [
                    {**source, "paths": ["open.jsonl"], "dataset": {"id": "open", "license": "OGDL-Taiwan-1.0"}},
                    {
                        **source,
                        "paths": ["closed.jsonl"],
                        "restricted": ["closed"],
                        "dataset": {"id": "closed", "license": "OGDL-Taiwan-1.0"},
                    },
                ]
            }
        )
    )
    ctx = make_context(cfg)
    sidecars = [extract_resource(cfg, ctx, r, fetch_resource(cfg, ctx, r)) for r in discover_resources(cfg, ctx)]
    manifest = publish(cfg, ctx, sidecars)

    public = pq.read_table(tmp_path / "corpus" / "data").to_pydict()
    closed_dir = tmp_path / "corpus-restricted"
    closed = pq.read_table(closed_dir / "data").to_pydict()
    assert sorted(public["source_record_id"]) == ["o0", "o1", "o2", "o3"]
    # c0 copies o0 word for word, yet stays: the two releases are deduplicated apart, never against each other
    assert sorted(closed["source_record_id"]) == ["c0", "c1"]
    assert manifest["restricted"]["output_dir"] == str(closed_dir) and manifest["restricted"]["documents"] == 2
    assert "closed" not in (tmp_path / "corpus" / "NOTICE").read_text(encoding="utf-8")
    assert "[closed]" in (closed_dir / "NOTICE").read_text(encoding="utf-8")
    assert json.loads((closed_dir / "manifest.json").read_text(encoding="utf-8"))["documents"] == 2
    # the national corpus's two tiers: 開放資料 in the public release, 授權資料 in the restricted one
    assert set(public["access_tier"]) == {"open"} and set(closed["access_tier"]) == {"authorised"}
    assert "AI training only" in (closed_dir / "README.md").read_text(encoding="utf-8")
    assert "open (開放資料)" in (tmp_path / "corpus" / "README.md").read_text(encoding="utf-8")
    assert verify_release(closed_dir).ok and verify_release(tmp_path / "corpus").ok

    report = build_report(ctx, sidecars, manifest)  # the accounting invariant holds over both releases
    assert report["totals"]["published"] == 4 and report["totals"]["published_restricted"] == 2
    assert report["totals"]["records_read"] == 6

    again = publish(cfg, make_context(cfg), sidecars)  # both releases unchanged: both kept
    assert again["reused_release"] and again["restricted"]["run_id"] == manifest["restricted"]["run_id"]


def test_staged_files_from_before_the_tier_column_still_publish(write_config, tmp_path):
    """The tier is decided at publish: a staged file written without the column gains it, nothing re-extracted."""
    _jsonl(tmp_path / "a.jsonl", [{"id": "a0", "text": "本局公告：國道客運路線調整，自下月一日起實施，請旅客留意。"}])
    source = {"kind": "local", "format": "jsonl", "text_field": "text", "id_field": "id", "paths": ["a.jsonl"]}
    cfg = load_config(write_config({"sources": [{**source, "dataset": {"id": "a", "license": "OGDL-Taiwan-1.0"}}]}))
    ctx = make_context(cfg)
    [sidecar] = [extract_resource(cfg, ctx, r, fetch_resource(cfg, ctx, r)) for r in discover_resources(cfg, ctx)]
    staged = feather.read_table(sidecar.staged)
    feather.write_feather(staged.drop_columns(["access_tier"]), sidecar.staged)
    publish(cfg, ctx, [sidecar])
    assert pq.read_table(tmp_path / "corpus" / "data").column("access_tier").to_pylist() == ["open"]
