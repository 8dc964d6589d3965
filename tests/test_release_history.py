"""Release history: versions kept as immutable folders, the corpus folder a link moved atomically to the
current one, `twcorpus diff` per document between two versions, `load_dataset` of a named version."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
from typer.testing import CliRunner

from flows.cli import app
from pipeline.config import load_config
from pipeline.paths import make_context
from pipeline.publish.history import current, versions, versions_dir
from pipeline.stages import discover_resources, extract_resource, fetch_resource, publish
from tests.conftest import jsonl_source, notices


def _jsonl(path: Path, rows: list[dict[str, str]]) -> None:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")


def _run(config: Path) -> dict[str, Any]:
    cfg = load_config(config)
    ctx = make_context(cfg)
    staged = [extract_resource(cfg, ctx, r, fetch_resource(cfg, ctx, r)) for r in discover_resources(cfg, ctx)]
    return publish(cfg, ctx, staged)


def _cli(*args: str) -> str:
    done = CliRunner().invoke(app, list(args))
    assert done.exit_code == 0, done.output
    return done.output


def test_versions_a_moving_pointer_and_document_diffs(write_config, tmp_path):
    news, other = notices("news", 4), notices("other", 1)
    _jsonl(tmp_path / "a.jsonl", news)
    _jsonl(tmp_path / "b.jsonl", other)
    a = {**jsonl_source("a.jsonl"), "dataset": {"id": "news", "license": "OGDL-Taiwan-1.0"}}
    b = {**jsonl_source("b.jsonl"), "dataset": {"id": "other", "license": "OGDL-Taiwan-1.0"}}
    corpus = tmp_path / "corpus"
    v1 = _run(write_config({"sources": [a, b], "releases": {"keep": 2}}))["run_id"]
    assert corpus.is_symlink() and current(corpus) == v1 and versions(corpus) == [v1]

    # v2: a text corrected, a notice added, dataset `other` no longer read
    news[0] = {**news[0], "text": news[0]["text"].replace("公告", "公告（更正）", 1)}
    _jsonl(tmp_path / "a.jsonl", [*news, *notices("late", 1)])
    v2 = _run(write_config({"sources": [a], "releases": {"keep": 2}}))["run_id"]
    assert versions(corpus) == [v1, v2] and current(corpus) == v2
    old = pq.read_table(versions_dir(corpus) / v1 / "data")
    assert old.num_rows == 5  # v1 is unchanged by v2's publish

    out = json.loads(_cli("diff", v1, v2, "--corpus", str(corpus), "--json"))
    assert out["datasets"]["local/news"]["added"] and len(out["datasets"]["local/news"]["changed"]) == 1
    assert out["datasets"]["local/other"]["removed_because"] == {"source gone": 1}

    # v3: a removal request; v1 falls out of the two kept
    doc = next(r for r in pq.read_table(corpus / "data").to_pylist() if r["source_record_id"] == "news2")
    _cli("remove", "--corpus", str(corpus), "--id", doc["id"], "--reason", "withdrawn")
    [v3] = [v for v in versions(corpus) if v not in (v1, v2)]
    assert versions(corpus) == [v2, v3] and current(corpus) == v3
    out = json.loads(_cli("diff", v2, v3, "--corpus", str(corpus), "--json"))
    assert out["datasets"]["local/news"]["removed"] == [
        {"id": doc["id"], "why": "removed by request", "reason": "removed"}
    ]
    table = _cli("diff", str(versions_dir(corpus) / v2), str(corpus))
    assert "removed by request 1" in table

    # researchers load the current release or a named version
    from datasets import load_dataset

    now = load_dataset(str(corpus), split="train", cache_dir=str(tmp_path / "hf-now"))
    then = load_dataset(str(versions_dir(corpus) / v2), split="train", cache_dir=str(tmp_path / "hf-then"))
    assert doc["id"] in then["id"] and doc["id"] not in now["id"] and len(then) == len(now) + 1
    assert os.readlink(corpus) == os.path.join(f"{corpus.name}.versions", v3)


def test_the_report_charts_and_ranks_agency_contributions_across_releases(write_config, tmp_path):
    from pipeline.report import build_report
    from pipeline.report.html import render_html

    def source(name: str, agency: str) -> dict[str, Any]:
        return {**jsonl_source(name), "dataset": {"id": name, "agency": agency, "license": "OGDL-Taiwan-1.0"}}

    _jsonl(tmp_path / "a.jsonl", notices("a", 3))
    _jsonl(tmp_path / "b.jsonl", notices("b", 1))
    config = write_config({"sources": [source("a.jsonl", "交通部"), source("b.jsonl", "法務部")]})
    _run(config)
    _jsonl(tmp_path / "b.jsonl", notices("b", 6))  # 法務部 contributes more in the second release
    cfg = load_config(config)
    ctx = make_context(cfg)
    staged = [extract_resource(cfg, ctx, r, fetch_resource(cfg, ctx, r)) for r in discover_resources(cfg, ctx)]
    report = build_report(ctx, staged, publish(cfg, ctx, staged))
    trend = report["agency_trend"]
    assert len(trend["releases"]) == 2
    assert [(a["agency"], a["rank"], a["rank_before"]) for a in trend["ranking"]] == [
        ("法務部", 1, 2),
        ("交通部", 2, 1),
    ]
    series = {s["agency"]: s["tokens"] for s in trend["series"]}
    assert series["法務部"][1] > series["法務部"][0] and series["交通部"][0] == series["交通部"][1]
    html = render_html(report)
    assert 'id="agency-trend"' in html and html.count("<polyline") == 2 and 'id="agency-ranking"' in html
