"""A dataset's licence changed between two runs (a replayed data.gov.tw metadata answer): the dataset is gated
again under its new licence, named in the release diff, the report's first screen and the licence history."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from pipeline.config import load_config
from pipeline.paths import make_context
from pipeline.report import build_report
from pipeline.report.html import render_html
from pipeline.stages import discover_resources, extract_resource, fetch_resource, publish
from tests.conftest import jsonl_source, notices

NOTICES = [
    {"標題": f"第{i}則公告", "內容": f"本府第{i}次辦理市民活動中心整修工程，施工期間暫停開放借用，造成不便敬請見諒。"}
    for i in range(1, 4)
]


def _metadata(licence: str) -> dict[str, Any]:
    dist = {"resourceFormat": "JSON", "resourceDownloadUrl": "https://open.example.gov.tw/notices.json"}
    return {
        "success": True,
        "result": {"title": "市政公告", "publisher": "臺南市政府", "license": licence, "distribution": [dist]},
    }


def _run(config: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    cfg = load_config(config)
    ctx = make_context(cfg)
    staged = [extract_resource(cfg, ctx, r, fetch_resource(cfg, ctx, r)) for r in discover_resources(cfg, ctx)]
    manifest = publish(cfg, ctx, staged)
    return manifest, build_report(ctx, staged, manifest, licenses=cfg.license_table())


def test_a_licence_changed_upstream_is_gated_again_and_named(http_server, write_config, tmp_path):
    http_server.add("/api/v2/rest/dataset/157477", _metadata("政府資料開放授權條款－第 1 版"))
    http_server.add("/files/notices.json", NOTICES)
    source = {
        "kind": "datagovtw",
        "base_url": http_server.url,
        "datasets": ["157477"],
        "url_map": {"https://open.example.gov.tw/": f"{http_server.url}/files/"},
    }
    other = "".join(json.dumps(n, ensure_ascii=False) + "\n" for n in notices("other", 2))
    (tmp_path / "other.jsonl").write_text(other, encoding="utf-8")
    local = {**jsonl_source("other.jsonl"), "dataset": {"id": "other", "license": "OGDL-Taiwan-1.0"}}
    config = write_config({"sources": [source, local], "fetch": {"allow_private": True}})
    first, _ = _run(config)
    assert first["documents"] == 5 and first["dataset_licences"]["datagovtw/157477"]["policy"] == "allow"

    # The agency re-licenses the dataset under no-derivatives terms: the same documents may not be published.
    http_server.add("/api/v2/rest/dataset/157477", _metadata("創用CC 姓名標示-禁止改作 3.0 臺灣"))
    second, report = _run(config)
    [change] = second["diff"]["licence_changed"]
    assert change["dataset"] == "datagovtw/157477"
    assert change["license_before"] == "OGDL-Taiwan-1.0" and change["license"] == "CC-BY-ND-3.0-TW"
    assert change["description"] == "licence changed: OGDL-Taiwan-1.0 -> CC-BY-ND-3.0-TW, policy allow -> deny"
    assert [h["run_id"] for h in second["licence_history"]] == [second["run_id"]]
    rejected = pq.read_table(tmp_path / "corpus" / "rejected").to_pylist()
    assert {r["reason"] for r in rejected if r["dataset_id"] == "157477"} == {"license_denied"}
    assert all(r["text"] is None for r in rejected)  # withheld under the new terms
    html = render_html(report)
    first_screen = html[: html.index("<h2>")]
    assert "licence changed: OGDL-Taiwan-1.0 -&gt; CC-BY-ND-3.0-TW, policy allow -&gt; deny" in first_screen

    # Back to the open licence: named again, and the history keeps both changes.
    http_server.add("/api/v2/rest/dataset/157477", _metadata("政府資料開放授權條款－第 1 版"))
    third, _ = _run(config)
    assert third["diff"]["licence_changed"][0]["policy"] == "allow" and third["documents"] == 5
    assert len(third["licence_history"]) == 2
    assert json.loads((tmp_path / "corpus" / "manifest.json").read_text(encoding="utf-8"))["licence_history"]
