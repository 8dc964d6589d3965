"""One big file split among the workers stages exactly what one worker makes of it: rows, order, ids, audit."""

import io
import json
import zipfile
from pathlib import Path

import pyarrow.feather as feather
import pytest

from tests.conftest import notices, run_flow_in
from tests.test_datagovtw_flow import _config as _datagovtw_config
from tests.test_datagovtw_flow import serve_calendar

SIMPLIFIED = "国务院发布关于进一步加强网络安全管理的通知，请各部门认真贯彻执行。"
PHONE = "聯絡電話：02-2380-9876，電子郵件：clerk@example.gov.tw。"


def _jsonl_lines(n: int) -> list[str]:
    """n records with the kinds of rows a real file has: good, simplified (converted), with personal data,
    not JSON, without text, with a lone surrogate, empty after normalisation."""
    lines = []
    for i, rec in enumerate(notices("split", n)):
        if i % 97 == 5:
            rec["text"] = SIMPLIFIED + rec["text"]
        if i % 41 == 7:
            rec["text"] += PHONE
        lines.append(json.dumps(rec, ensure_ascii=False))
    lines[n // 10] = '{"id": "broken", "text": "未結束的紀錄'  # not JSON
    lines[n // 5] = json.dumps({"id": "no-text", "title": "只有標題"}, ensure_ascii=False)
    lines[n // 3] = '{"id": "surrogate", "text": "公告\\ud800內容"}'
    lines[n // 2] = json.dumps({"id": "blank", "text": "\u3000\u3000 "}, ensure_ascii=False)
    return lines


def _csv_big5(n: int) -> bytes:
    """A Big5 CSV whose cells hold commas, quotes and line breaks (a record spans several lines)."""
    rows = ['"編號","標題","內容"']
    for rec in notices("csv", n):
        body = rec["text"].replace("，", ",", 2)
        if int(rec["id"][3:]) % 3 == 0:
            body = body[:20] + '\n第二段，"引號"內的文字\n' + body[20:]
        rows.append(f'"{rec["id"]}","公告{rec["id"]}","{body.replace(chr(34), chr(34) * 2)}"')
    return ("\r\n".join(rows) + "\r\n").encode("cp950")


def _zip(tmp: Path) -> bytes:
    """An archive of several JSONL members, one unsafe path, one undecodable member and one matching nothing."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for m in range(7):
            zf.writestr(f"part{m}.jsonl", "\n".join(_jsonl_lines(90 + m * 13)))
        zf.writestr("../escape.jsonl", '{"id": "x", "text": "路徑逃逸"}')
        zf.writestr("garbage.jsonl", bytes(range(128, 256)) * 40)
        zf.writestr("readme.txt", "說明")
    return buf.getvalue()


@pytest.fixture
def inputs(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "big.jsonl").write_text("\n".join(_jsonl_lines(700)) + "\n", encoding="utf-8")
    (folder / "big.csv").write_bytes(_csv_big5(400))
    (folder / "big.zip").write_bytes(_zip(tmp_path))
    return folder


def _config(root: Path, folder: Path, name: str, split_bytes: int, workers: int = 1):
    import yaml

    from pipeline.config import load_config

    common = {"kind": "local", "dataset": {"id": "big", "license": "OGDL-Taiwan-1.0"}}
    body = {
        "output_dir": str(root / name / "corpus"),
        "data_dir": str(root / name / "data"),
        "split_bytes": split_bytes,
        "workers": workers,
        "sources": [
            {**common, "paths": [str(folder / "big.jsonl")], "format": "jsonl", "text_field": "text", "id_field": "id"},
            {**common, "paths": [str(folder / "big.csv")], "format": "csv", "text_field": "內容", "id_field": "編號"},
            {**common, "paths": [str(folder / "big.zip")], "format": "jsonl", "text_field": "text", "id_field": "id"},
        ],
    }
    path = root / f"{name}.yaml"
    path.write_text(yaml.safe_dump(body, allow_unicode=True), encoding="utf-8")
    return load_config(path)


COUNTS = ["n_words", "n_tokens", "tokenizer"]  # a split file's are counted at publish (tests/test_counts.py)


def _comparable(record) -> dict:
    """A staged record without what differs between any two extractions (where, CPU seconds), nor whether it
    was counted (a split file is counted at publish)."""
    body = record.model_dump(exclude={"staged", "reused", "counted"})
    body["steps"] = {k: (v["docs_in"], v["docs_out"]) for k, v in body["steps"].items() if k not in ("words", "tokens")}
    return body


def _same_rows(whole, split) -> bool:
    """Every attribute of every row the same, in the same order -- but the counts, which the rows of a file split
    across workers leave to publish."""
    a, b = feather.read_table(whole.staged), feather.read_table(split.staged)
    if split.counted:  # not split after all
        return a.equals(b)
    assert all(b[name].null_count == b.num_rows for name in COUNTS)
    return a.drop_columns(COUNTS).equals(b.drop_columns(COUNTS))


def test_split_extraction_stages_what_one_worker_does(inputs, tmp_path):
    from pipeline.extract.split import plan_split
    from pipeline.extract.workers import ExtractionPool
    from pipeline.paths import make_context
    from pipeline.stages import discover_resources, extract_resource, fetch_resource

    whole_cfg = _config(tmp_path, inputs, "whole", split_bytes=0)
    split_cfg = _config(tmp_path, inputs, "split", split_bytes=1)
    whole_ctx, split_ctx = make_context(whole_cfg), make_context(split_cfg)
    resources = discover_resources(whole_cfg, whole_ctx)
    fetched = [fetch_resource(whole_cfg, whole_ctx, r) for r in resources]
    plans = [plan_split(split_cfg, r, f, 2) for r, f in zip(resources, fetched, strict=True)]
    assert [(p.mode, p.parts) for p in plans] == [("records", 2), ("records", 2), ("members", 2)]
    assert all(plan_split(whole_cfg, r, f, 2) is None for r, f in zip(resources, fetched, strict=True))

    alone = [extract_resource(whole_cfg, whole_ctx, r, f) for r, f in zip(resources, fetched, strict=True)]
    with ExtractionPool(split_cfg, 2) as pool:
        split = pool.extract_batch(split_cfg, split_ctx, resources, fetched)

    for one, parted in zip(alone, split, strict=True):
        a, b = feather.read_table(one.staged), feather.read_table(parted.staged)
        assert a.column_names == b.column_names
        assert a.column("id").to_pylist() == b.column("id").to_pylist()  # same rows, same order
        assert not parted.counted and _same_rows(one, parted)  # every attribute of every row, signatures included
        assert _comparable(one) == _comparable(parted)
    jsonl, csv, archive = alone
    assert jsonl.records_read == 700 and jsonl.rejected_at_extract.keys() >= {"invalid_unicode", "empty_text"}
    assert jsonl.normalization["converted_docs"] >= 7 and len(jsonl.normalization["conversion_samples"]) == 3
    assert jsonl.normalization["pii"] and csv.decoder == "cp950" and csv.records_read == 400
    reasons = archive.rejected_at_extract
    assert reasons["unsafe_archive_member"] == 1 and archive.records_read > 7 * 90
    staged_dir = split_ctx.paths.staged_dir
    assert not [p for p in staged_dir.rglob("*") if ".part" in p.name]  # parts are gone once merged


@pytest.mark.parametrize("parts", [3, 16])
def test_parts_built_and_merged_a_few_rows_at_a_time_stage_what_one_worker_does(inputs, tmp_path, monkeypatch, parts):
    """Documents tabled a chunk at a time and parts merged a run at a time (16 parts of 11 blocks: some parts
    have no rows) give the rows of one worker's extraction in one go."""
    from pipeline.extract import resource as staging
    from pipeline.extract.split import Share
    from pipeline.paths import make_context
    from pipeline.stages import discover_resources, extract_resource, fetch_resource

    whole_cfg = _config(tmp_path, inputs, "whole", split_bytes=0)
    split_cfg = _config(tmp_path, inputs, "split", split_bytes=1)
    whole_ctx, split_ctx = make_context(whole_cfg), make_context(split_cfg)
    resources = discover_resources(whole_cfg, whole_ctx)
    fetched = [fetch_resource(whole_cfg, whole_ctx, r) for r in resources]
    alone = [extract_resource(whole_cfg, whole_ctx, r, f) for r, f in zip(resources, fetched, strict=True)]

    monkeypatch.setattr(staging, "CHUNK", 50)
    monkeypatch.setattr(staging, "MERGE_ROWS", 37)
    for one, res, got, mode in zip(alone, resources, fetched, ["records", "records", "members"], strict=True):
        for k in range(parts):
            staging.extract_part(split_cfg, split_ctx, res, got, Share(k, parts, mode))
        merged = staging.merge_parts(split_cfg, split_ctx, res, got, parts)
        assert feather.read_table(one.staged).num_rows >= 400
        assert _same_rows(one, merged)  # same rows, same order, every attribute
        assert _comparable(one) == _comparable(merged)
    assert not [p for p in split_ctx.paths.staged_dir.rglob("*") if ".part" in p.name]


def test_merge_runs_put_the_rows_of_parts_back_in_unit_order():
    import numpy as np

    from pipeline.extract.resource import merge_runs

    units = [np.array([0, 1, 4, 4, 5]), np.array([2, 3, 6]), np.array([], dtype=np.int64)]
    assert merge_runs(units) == [(0, 0, 2), (1, 0, 2), (0, 2, 5), (1, 2, 3)]
    assert merge_runs([np.array([], dtype=np.int64)] * 2) == []


def test_small_files_documents_and_single_member_archives_are_not_split(tmp_path, write_config):
    from pipeline.config import load_config
    from pipeline.extract.split import plan_split
    from pipeline.paths import make_context
    from pipeline.stages import discover_resources, fetch_resource

    folder = tmp_path / "in"
    folder.mkdir()
    for doc in (Path(__file__).parent.parent / "data/sample/documents").glob("*.*[ft]"):  # the PDF and the ODT
        (folder / doc.name).write_bytes(doc.read_bytes())
    with zipfile.ZipFile(folder / "one.zip", "w") as zf:
        zf.writestr("only.jsonl", '{"id": 1, "text": "唯一的成員"}')
    (folder / "small.jsonl").write_text('{"id": 1, "text": "小檔案"}\n', encoding="utf-8")

    def plans(split_bytes: int, workers: int) -> dict[str, object]:
        source = {"kind": "local", "paths": ["in/*"], "format": "auto", "dataset": {"id": "d", "license": "CC0-1.0"}}
        cfg = load_config(write_config({"split_bytes": split_bytes, "sources": [source]}, name=f"{split_bytes}.yaml"))
        ctx = make_context(cfg)
        found = {r.url: plan_split(cfg, r, fetch_resource(cfg, ctx, r), workers) for r in discover_resources(cfg, ctx)}
        assert len(found) == 4 and any(url.endswith(".pdf") for url in found) and "one.zip" in found
        return found

    split = plans(split_bytes=1, workers=2)
    assert {url for url, plan in split.items() if plan is not None} == {"small.jsonl"}
    assert not any(plans(split_bytes=1, workers=1).values()) and not any(plans(split_bytes=10_000, workers=2).values())


def test_a_run_with_a_split_file_publishes_the_unsplit_release(prefect_harness, inputs, tmp_path):
    """The whole flow, two workers, one big JSONL: the release (rows, ids, content digest) is the unsplit one."""
    import pyarrow.parquet as pq

    releases = {}
    for name, split_bytes in (("whole", 0), ("split", 1)):
        cfg = _config(tmp_path, inputs, name, split_bytes, workers=2)
        work = tmp_path / name
        work.mkdir(exist_ok=True)
        [summary] = run_flow_in(work, cfg.path)
        manifest = json.loads((work / "corpus/manifest.json").read_text(encoding="utf-8"))
        rows = pq.read_table(work / "corpus/data").drop_columns(["run_id", "retrieved_at"])
        releases[name] = (summary["records_read"], manifest, rows)
    (n_whole, whole, whole_rows), (n_split, split, split_rows) = releases["whole"], releases["split"]
    assert n_whole == n_split > 2000 and whole["documents"] == split["documents"] > 0
    assert whole["content_sha256"] == split["content_sha256"]
    assert whole_rows.column("id").to_pylist() == split_rows.column("id").to_pylist()
    assert whole_rows.equals(split_rows)


def test_real_government_files_split_stage_what_one_worker_does(realdata, tmp_path):
    """Real files of every shape a split meets: the Executive Yuan Gazette's XML (a notice per <Record>, HTML in
    a field), the MOE dictionary's CSV (tens of thousands of rows, quoted cells) and the DGPA calendar's
    UTF-8-with-BOM and CP950 CSVs, each cut among two workers as if it were big."""
    import yaml

    from pipeline.config import load_config
    from pipeline.extract.workers import ExtractionPool
    from pipeline.paths import make_context
    from pipeline.stages import discover_resources, extract_resource, fetch_resource

    texts = realdata / "text_datasets"
    gazette = {"format": "xml", "record_tag": "Record", "text_field": "HTMLContent", "html_fields": ["HTMLContent"]}
    gazette |= {"title_field": "Title", "id_field": "MetaId", "date_field": "Date_Created"}
    sources = [
        {"paths": [str(texts / "ey_gazette_xml/*.xml")], **gazette},
        {"paths": [str(realdata / "external/ey_gazette_2014_05/103/103-05-0[12]/*.xml")], **gazette},
        {"paths": [str(texts / "moe_twblg_CC-BY-ND/raw_釋義.csv")], "format": "csv", "text_field": "釋義"},
        {"paths": [str(texts / "dgpa_office_calendar_14718/11[45]*.csv")], "format": "csv", "text_field": "備註"},
    ]
    configs = {}
    for name, split_bytes in (("whole", 0), ("split", 1)):
        body = {"data_dir": str(tmp_path / name), "output_dir": str(tmp_path / name / "corpus")}
        body |= {"split_bytes": split_bytes, "sources": []}
        for n, source in enumerate(sources):
            body["sources"].append({"kind": "local", "dataset": {"id": f"real{n}", "license": "CC0-1.0"}, **source})
        (tmp_path / f"{name}.yaml").write_text(yaml.safe_dump(body, allow_unicode=True), encoding="utf-8")
        configs[name] = load_config(tmp_path / f"{name}.yaml")
    whole_ctx, split_ctx = make_context(configs["whole"]), make_context(configs["split"])
    resources = discover_resources(configs["whole"], whole_ctx)
    assert len(resources) >= 8
    fetched = [fetch_resource(configs["whole"], whole_ctx, r) for r in resources]
    alone = [extract_resource(configs["whole"], whole_ctx, r, f) for r, f in zip(resources, fetched, strict=True)]
    with ExtractionPool(configs["split"], 2) as pool:
        split = pool.extract_batch(configs["split"], split_ctx, resources, fetched)
    for one, parted in zip(alone, split, strict=True):
        assert _same_rows(one, parted), one.resource_url
        assert _comparable(one) == _comparable(parted)
    assert sum(s.records_read for s in alone) > 10_000 and {s.decoder for s in alone} >= {"cp950", "utf-8-sig"}


def test_downloaded_files_split_as_local_ones_do(http_server, tmp_path):
    """data.gov.tw resources fetched from a server on 127.0.0.1 (a CP950 CSV, a BOM CSV, a ZIP of an XML and a
    PDF): once their bytes are stored, each is split among the workers like a local file, with the same rows."""
    import json

    from pipeline.config import load_config
    from pipeline.extract.split import plan_split
    from pipeline.extract.workers import ExtractionPool
    from pipeline.paths import make_context
    from pipeline.stages import discover_resources, extract_resource, fetch_resource

    body = json.loads(_datagovtw_config(tmp_path, serve_calendar(http_server)).read_text(encoding="utf-8"))
    configs = {}
    for name, split_bytes in (("whole", 0), ("split", 1)):
        config = {**body, "split_bytes": split_bytes, "data_dir": str(tmp_path / name)}
        (tmp_path / f"{name}.json").write_text(json.dumps(config, ensure_ascii=False), encoding="utf-8")
        configs[name] = load_config(tmp_path / f"{name}.json")
    ctx = make_context(configs["whole"])
    resources = [r for r in discover_resources(configs["whole"], ctx) if r.format != "unavailable"]
    fetched = [fetch_resource(configs["whole"], ctx, r) for r in resources]
    plans = {
        r.url.rsplit("/", 1)[-1]: plan_split(configs["split"], r, f, 2) for r, f in zip(resources, fetched, strict=True)
    }
    assert {name: (p.mode if p else None) for name, p in plans.items()} == {
        "114.csv": "records",
        "115.csv": "records",
        "115.ods": None,  # not served: nothing to split
        "notes.zip": "members",
    }
    alone = [extract_resource(configs["whole"], ctx, r, f) for r, f in zip(resources, fetched, strict=True)]
    split_ctx = make_context(configs["split"])
    with ExtractionPool(configs["split"], 2) as pool:
        split = pool.extract_batch(configs["split"], split_ctx, resources, fetched)
    for one, parted in zip(alone, split, strict=True):
        assert _same_rows(one, parted), one.resource_url
        assert _comparable(one) == _comparable(parted)
    assert sum(s.staged_ok for s in alone) >= 4
