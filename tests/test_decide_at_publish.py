"""Tag once, decide at publish: extraction stores attributes under a key that no decision setting enters, so a
changed threshold, licence override, min_chars, private-use policy or include_abolished re-publishes from the
staged files without re-extracting a resource; `twcorpus plan` shows the effect without writing."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml

from pipeline.columns import take_rows
from pipeline.config import load_config
from pipeline.extract.staged import staged_key
from pipeline.paths import make_context
from pipeline.publish.digest import content_digest
from pipeline.stages import discover_resources, extract_resource, fetch_resource, publish
from tests.conftest import ROOT, cli_env, jsonl_source, notices

NOTICE = "本機關公告：依政府資料開放授權條款提供本年度業務統計說明，請各單位於期限內完成資料更新並回報辦理情形。"
DIGITS = NOTICE + " 1234567890" * 4  # 40 digits of ~95 characters: numeric under a 0.3 threshold, not 0.6


def _inputs(folder: Path) -> None:
    rows = notices("公告", 5)
    rows.append({"id": "digits", "text": DIGITS})
    (folder / "in.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    shutil.copytree(ROOT / "data/sample/moj_laws", folder / "laws")  # Z0000003 is abolished


def _config(folder: Path, **decisions) -> Path:
    sources = [
        jsonl_source("in.jsonl"),
        {"kind": "moj_laws", "paths": ["laws/*.json"], "dataset": {"id": "laws", "license": "著作權法第9條"}},
    ]
    body = {"data_dir": str(folder / "data"), "output_dir": str(folder / "corpus"), "sources": sources, **decisions}
    path = folder / "c.yaml"
    path.write_text(yaml.safe_dump(body, allow_unicode=True), encoding="utf-8")
    return path


DECISIONS = [
    {"quality": {"max_digit_fraction": 0.3}},
    {"licenses": {"deny": ["LicenseRef-TW-Copyright-Act-Art9"]}},
    {"min_chars": 60},
    {"private_use": "quarantine"},
    {"dedup": {"threshold": 0.95}},
]


@pytest.mark.parametrize("decision", DECISIONS, ids=lambda d: next(iter(d)))
def test_a_decision_setting_is_not_part_of_the_staged_key(tmp_path, decision):
    _inputs(tmp_path)
    before = load_config(_config(tmp_path))
    after = load_config(_config(tmp_path, **decision))
    ctx = make_context(before)
    for resource in discover_resources(before, ctx):
        fetched = fetch_resource(before, ctx, resource)
        assert staged_key(before, ctx, resource, fetched) == staged_key(after, ctx, resource, fetched)


def test_the_json_lines_limit_keys_json_lines_files_only(tmp_path):
    """max_streamed_bytes changes what a JSON Lines file stages (too_large or not); the laws' JSON is not re-read."""
    _inputs(tmp_path)
    before = load_config(_config(tmp_path))
    after = load_config(_config(tmp_path, max_streamed_bytes=1000))
    ctx = make_context(before)
    moved = {
        r.format: staged_key(before, ctx, r, f) != staged_key(after, ctx, r, f)
        for r in discover_resources(before, ctx)
        for f in [fetch_resource(before, ctx, r)]
    }
    assert moved == {"jsonl": True, "json": False}


def test_changed_decisions_republish_from_the_staged_files(tmp_path):
    _inputs(tmp_path)
    first_cfg = load_config(_config(tmp_path))
    ctx = make_context(first_cfg)
    staged = [
        extract_resource(first_cfg, ctx, r, fetch_resource(first_cfg, ctx, r))
        for r in discover_resources(first_cfg, ctx)
    ]
    first = publish(first_cfg, ctx, staged)
    assert first["documents"] == 5 + 2 + 1  # five notices, the digit table, two current laws (the abolished one: no)

    for decision, reason in (
        ({"quality": {"max_digit_fraction": 0.3}}, "quality_numeric"),
        ({"sources": None, "include_abolished": True}, None),
        ({"min_chars": 150}, "too_short"),
    ):
        if "sources" in decision:  # include_abolished belongs to the source
            cfg_path = _config(tmp_path)
            body = yaml.safe_load(cfg_path.read_text(encoding="utf-8"))
            body["sources"][1]["include_abolished"] = True
            cfg_path.write_text(yaml.safe_dump(body, allow_unicode=True), encoding="utf-8")
        else:
            cfg_path = _config(tmp_path, **decision)
        cfg = load_config(cfg_path)
        run_ctx = make_context(cfg)
        again = [
            extract_resource(cfg, run_ctx, r, fetch_resource(cfg, run_ctx, r)) for r in discover_resources(cfg, run_ctx)
        ]
        assert all(sc.reused for sc in again), "a decision setting re-extracted a resource"
        manifest = publish(cfg, run_ctx, again)
        assert not manifest.get("reused_release")
        reasons = {k: v for t in manifest["tallies"].values() for k, v in t["rejected"].items()}
        if reason:
            assert reasons.get(reason), (decision, reasons)
        else:
            assert "abolished_law" not in reasons and manifest["documents"] == first["documents"] + 1


def test_plan_shows_what_a_decision_would_change_without_writing(tmp_path):
    _inputs(tmp_path)
    env = cli_env(tmp_path / "prefect")
    twcorpus = str(Path(sys.executable).with_name("twcorpus"))
    run = subprocess.run(
        [twcorpus, "run", "-c", str(_config(tmp_path))],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    manifest_before = (tmp_path / "corpus/manifest.json").read_bytes()
    report = json.loads((tmp_path / "data/reports/latest/report.json").read_text(encoding="utf-8"))
    assert report["totals"]["resources_extracted"] == report["totals"]["resources"]
    steps = {(s["stage"], s["step"]): s for s in report["steps"]}
    assert steps[("extract", "read_and_normalize")]["docs_in"] == report["totals"]["records_read"]
    assert steps[("publish", "quality")]["docs_in"] >= steps[("publish", "quality")]["docs_out"] > 0
    assert steps[("publish", "dedup")]["docs_out"] == report["totals"]["published"]

    stricter = _config(tmp_path, quality={"max_digit_fraction": 0.3}, licenses={"deny": ["OGDL-Taiwan-1.0"]})
    plan = subprocess.run(
        [twcorpus, "plan", "-c", str(stricter)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600
    )
    assert plan.returncode == 0, plan.stderr[-2000:]
    assert "(0 extracted now)" in " ".join(plan.stdout.split()) and "nothing written" in plan.stdout
    as_json = subprocess.run(
        [twcorpus, "plan", "-c", str(stricter), "--json"], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    seen = json.loads(as_json.stdout)
    assert seen["extracted_now"] == 0 and seen["would"]["rejected"] == {
        "license_denied": 5,
        "quality_numeric": 1,
        "abolished_law": 1,
    }
    assert seen["in_place"]["published"] == 8 and seen["would"]["published"] == 2  # the laws
    assert (tmp_path / "corpus/manifest.json").read_bytes() == manifest_before  # the release is untouched

    second = subprocess.run(
        [twcorpus, "run", "-c", str(stricter)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=900
    )
    assert second.returncode == 0, second.stderr[-2000:]
    report = json.loads((tmp_path / "data/reports/latest/report.json").read_text(encoding="utf-8"))
    reasons = report["totals"]["rejected_by_reason"]
    assert report["totals"]["resources_extracted"] == 0
    assert reasons["license_denied"] == 5 and reasons["quality_numeric"] == 1  # the rules speak before the gate


def test_the_content_digest_depends_on_values_not_on_layout(write_config, tmp_path):
    """Shards of 2 rows or of 50,000: the same digest, recomputable from the Parquet files in id order."""
    src = tmp_path / "in.jsonl"
    src.write_text("".join(f'{{"id": "{i}", "text": "第{i}號公告：{NOTICE}{i * 7}"}}\n' for i in range(9)), "utf-8")
    digests = []
    for rows in (2, 50_000):
        cfg = load_config(
            write_config({"publish": {"shard_rows": rows}, "sources": [jsonl_source("in.jsonl")]}, f"c{rows}.yaml")
        )
        cfg = cfg.model_copy(
            update={"corpus": cfg.corpus.model_copy(update={"output_dir": str(tmp_path / f"out{rows}")})}
        )
        ctx = make_context(cfg)
        staged = [extract_resource(cfg, ctx, r, fetch_resource(cfg, ctx, r)) for r in discover_resources(cfg, ctx)]
        manifest = publish(cfg, ctx, staged)
        files = sorted((tmp_path / f"out{rows}" / "data").rglob("*.parquet"))
        assert len(files) == (5 if rows == 2 else 1)
        recomputed = content_digest(pq.read_table(f) for f in reversed(files))  # any file order
        assert recomputed == manifest["content_sha256"]
        digests.append(manifest["content_sha256"])
    assert digests[0] == digests[1]


def test_rows_are_taken_from_every_chunk_in_the_order_asked():
    column = pa.chunked_array([["甲", "乙"], [], ["丙", None, "丁"], ["戊"]], pa.string())
    rows = [5, 0, 3, 2, 2, 4, 1]
    assert take_rows(column, rows) == [column[r].as_py() for r in rows]
    assert take_rows(column, []) == []
