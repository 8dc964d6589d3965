"""Documents a record rule rejected (a gazette table the quality gate turned away, a notice under min_chars) are
still placed in their duplicate cluster, so rejected/ tells a maintainer that five rejected tables are one; they
follow only: they never lead a cluster, never join two, and the clusters of the other documents stay as they
would be without them."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import yaml

from pipeline.config import load_config
from pipeline.paths import make_context
from pipeline.stages import discover_resources, extract_resource, fetch_resource, publish
from tests.conftest import jsonl_source
from tests.test_dedup_partial import _cluster
from tests.test_dedup_partial import _piece as _law

HEADER = "行政院公報資訊網\n首頁 > 公報查詢 > 公示送達"
FOOTER = "地址：10058臺北市中正區忠孝東路1段1號\n總機：(02)3356-6500\n更新日期：113-06-01"


def test_a_rejected_copy_joins_its_original_s_cluster_without_leading_it(realdata):
    """The longer copy would represent the cluster; rejected, it follows the shorter original instead."""
    law = _law(realdata, "A0030055", slice(0, 12))  # 行政程序法
    other = _law(realdata, "B0000001", slice(0, 12))
    framed = f"{HEADER}\n{law}\n{FOOTER}"
    assert _cluster([law, framed, other], follows=[False, False, False]) == [1, 1, 2]
    assert _cluster([law, other, framed], follows=[False, False, True]) == [0, 1, 0]
    # an exact copy that follows joins by its hashing view
    assert _cluster([law, other, law], follows=[False, False, True]) == [0, 1, 0]


def test_a_rejected_document_alike_two_clusters_joins_one_and_never_joins_them(realdata):
    """The whole law holds both of two pieces of it (its first 60%, cut mid-sentence, and its last 70%): accepted,
    it joins them in one cluster as their longer document; rejected, the pieces stay apart and it follows one."""
    whole = _law(realdata, "A0030055", slice(0, 24))
    first, second = whole[: int(len(whole) * 0.6)], whole[int(len(whole) * 0.3) :]
    assert _cluster([first, second, whole], follows=[False, False, False]) == [2, 2, 2]
    found = _cluster([first, second, whole], follows=[False, False, True])
    assert found[:2] == [0, 1] and found[2] in (0, 1)


def test_rejected_documents_alike_only_one_another_make_a_cluster_of_their_own(realdata):
    law, other = _law(realdata, "A0030055", slice(0, 12)), _law(realdata, "B0000001", slice(0, 12))
    framed = f"{HEADER}\n{law}\n{FOOTER}"
    cut = law[: int(len(law) * 0.8)]
    # among themselves the keep criteria choose as ever: the longest, the framed copy
    assert _cluster([other, law, framed, cut], follows=[False, True, True, True]) == [0, 2, 2, 2]
    assert _cluster([other, law, framed, cut], follows=[False, False, False, False]) == [0, 2, 2, 2]


def test_rejected_gazette_tables_and_their_copies_share_a_cluster_and_keep_their_reasons(realdata, tmp_path):
    """The Executive Yuan Gazette's 公示送達 lists (thousands of names and numbers) are rejected by the quality
    gate. Re-posted under a portal's header and footer, or cut short, each copy is rejected too -- and now
    named as a copy of the gazette's. The published documents and their clusters are what they were."""
    gazette = {"kind": "local", "paths": [str(realdata / "text_datasets/ey_gazette_xml/*.xml")], "format": "xml"}
    gazette |= {"record_tag": "Record", "text_field": "HTMLContent", "html_fields": ["HTMLContent"]}
    gazette |= {"id_field": "MetaId", "dataset": {"id": "ey-gazette", "license": "政府資料開放授權條款-第1版"}}

    def run(folder: Path, sources: list[dict]) -> tuple[list[dict], list[dict], dict]:
        body = {"data_dir": str(folder / "data"), "output_dir": str(folder / "corpus"), "sources": sources}
        folder.mkdir()
        (folder / "c.yaml").write_text(yaml.safe_dump(body, allow_unicode=True), encoding="utf-8")
        cfg = load_config(folder / "c.yaml")
        ctx = make_context(cfg)
        staged = [extract_resource(cfg, ctx, r, fetch_resource(cfg, ctx, r)) for r in discover_resources(cfg, ctx)]
        manifest = publish(cfg, ctx, staged)
        columns = ["id", "source_record_id", "text", "dup_cluster", "dup_count"]
        published = pq.read_table(folder / "corpus" / "data", columns=columns).to_pylist()
        rejected = pq.read_table(
            next((folder / "corpus" / "rejected").rglob("*.parquet")), columns=[*columns, "reason"]
        ).to_pylist()
        return published, rejected, manifest

    published, rejected, _ = run(tmp_path / "one", [gazette])
    tables = [r for r in rejected if r["reason"].startswith("quality_")]
    assert len(tables) >= 2 and all(r["dup_count"] == 1 for r in tables)
    copies = []
    for n, table in enumerate(tables):
        copies.append({"id": f"framed{n}", "text": f"{HEADER}\n{table['text']}\n{FOOTER}"})
        copies.append({"id": f"cut{n}", "text": table["text"][: int(len(table["text"]) * 0.8)]})
    (tmp_path / "copies.jsonl").write_text("".join(json.dumps(c, ensure_ascii=False) + "\n" for c in copies), "utf-8")

    again, rejected_again, manifest = run(tmp_path / "two", [gazette, jsonl_source(str(tmp_path / "copies.jsonl"))])
    assert {r["id"]: r["dup_cluster"] for r in again} == {r["id"]: r["dup_cluster"] for r in published}
    by_record = {r["source_record_id"]: r for r in rejected_again}
    for n, table in enumerate(tables):
        members = [by_record[table["source_record_id"]], by_record[f"framed{n}"], by_record[f"cut{n}"]]
        assert all(m["reason"].startswith("quality_") for m in members), [m["reason"] for m in members]
        assert {m["dup_cluster"] for m in members} == {members[1]["id"]}, n  # the longest leads, as ever
        assert {m["dup_count"] for m in members} == {3}
    assert len({by_record[t["source_record_id"]]["dup_cluster"] for t in tables}) == len(tables)  # not one another's
    assert manifest["dedup_stats"]["rejected_in_clusters"] == 3 * len(tables)
