"""Refreshing from data.gov.tw's daily change export: listed datasets are re-read, the others are carried
over from the last run without a download, deleted ones drop out. Real HTTP on 127.0.0.1, real flow."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq

HEADER = "資料集識別碼,資料集名稱,檔案格式,資料下載網址,編碼格式,提供機關,授權方式,詮釋資料更新時間"
CHANGES_HEADER = "資料集識別碼,資料集名稱,資料集變動狀態"
NOTICES = {
    "101": ("公告甲", "第一則：本府辦理道路養護工程，施工期間請用路人改道通行並注意安全。"),
    "102": ("公告乙", "第二則：本局受理獎助學金申請，請於期限內檢具相關文件送交承辦單位。"),
    "103": ("公告丙", "第三則：本署舉辦防災宣導活動，歡迎民眾攜家帶眷踴躍參加並索取資料。"),
}


def _catalog(server: str) -> str:
    rows = [
        f"{i},{title},JSON,https://open.example.gov.tw/{i}.json,UTF-8,某機關,政府資料開放授權條款-第1版,2026-11-01"
        for i, (title, _) in NOTICES.items()
    ]
    return "\ufeff" + HEADER + "\r\n" + "\r\n".join(rows) + "\r\n"


def _changes(*rows: tuple[str, str]) -> str:
    return "\ufeff" + CHANGES_HEADER + "\r\n" + "".join(f"{i},{NOTICES[i][0]},{state}\r\n" for i, state in rows)


def _serve(server, changes: str, texts: dict[str, str]) -> None:
    server.add("/export/catalog.csv", _catalog(server.url))
    server.add("/export/changes.csv", changes)
    for i, text in texts.items():
        server.add(f"/files/{i}.json", [{"id": f"{i}-1", "內容": text}], headers={"ETag": f'"{hash(text)}"'})


def _config(tmp_path: Path, server) -> str:
    cfg = {
        "output_dir": str(tmp_path / "corpus"),
        "data_dir": str(tmp_path / "data"),
        "sources": [
            {
                "kind": "datagovtw",
                "catalog": f"{server.url}/export/catalog.csv",
                "changes": f"{server.url}/export/changes.csv",
                "url_map": {"https://open.example.gov.tw/": f"{server.url}/files/"},
                "text_fields": {i: ["內容"] for i in NOTICES},
            }
        ],
    }
    path = tmp_path / "refresh.yaml"
    path.write_text(json.dumps(cfg, ensure_ascii=False), encoding="utf-8")
    return str(path)


def _published(tmp_path: Path) -> dict[str, str]:
    rows = pq.read_table(tmp_path / "corpus" / "data").to_pylist()
    return {r["dataset_id"]: r["text"] for r in rows}


def _changes_artifact(run_id: str) -> str:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    with get_client(sync_client=True) as client:
        found = client.read_artifacts(artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=["catalogue-changes"])))
    [mine] = [a.data for a in found if f"run `{run_id}`" in (a.data or "")]
    return mine


def test_a_change_export_refreshes_one_corpus(prefect_harness, http_server, tmp_path):
    from flows.build_corpus import build_corpus
    from flows.catalogue_sync import catalogue_sync

    texts = {i: text for i, (_, text) in NOTICES.items()}
    _serve(http_server, _changes(("101", "新增"), ("102", "新增"), ("103", "新增")), texts)
    config = _config(tmp_path, http_server)
    build_corpus(config_path=config)
    assert _published(tmp_path) == texts

    # day 2: only 101 changed; 102 and 103 stay in the corpus, read from what was fetched on day 1
    texts["101"] = "第一則（更正）：本府辦理道路養護工程延長至月底，施工期間請用路人改道通行。"
    _serve(http_server, _changes(("101", "修改")), texts)
    before = dict(http_server.hits)
    plan = catalogue_sync(config_path=config)  # what the next build reads, without building
    assert {r.dataset.id for r in plan.resources} == {"101"}
    assert {r.dataset.id for r in plan.carried} == {"102", "103"}
    assert http_server.hits.get("/files/101.json") == before.get("/files/101.json")  # listing downloads no file
    second = build_corpus(config_path=config)
    assert _published(tmp_path) == texts
    assert http_server.hits.get("/files/102.json") == before.get("/files/102.json")  # not asked again
    assert http_server.hits["/files/101.json"] == before["/files/101.json"] + 1
    report = json.loads((Path(second["report_dir"]) / "report.json").read_text(encoding="utf-8"))
    assert [(d["dataset"], d["content_changed"]) for d in report["diff"]["changed"]] == [("datagovtw/101", True)]
    changes = _changes_artifact(second["run_id"])  # the build ran catalogue-sync as its child flow
    assert "added or modified (1): 101" in changes and "carried over from the last run, not downloaded (2)" in changes

    # day 3: 103 deleted from the platform
    _serve(http_server, _changes(("103", "刪除")), texts)
    third = build_corpus(config_path=config)
    assert set(_published(tmp_path)) == {"101", "102"}
    report = json.loads((Path(third["report_dir"]) / "report.json").read_text(encoding="utf-8"))
    assert [d["dataset"] for d in report["diff"]["removed"]] == ["datagovtw/103"]


def test_daily_exports_since_the_last_run_are_all_read(prefect_harness, http_server, tmp_path):
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    from flows.build_corpus import build_corpus

    today = datetime.now(ZoneInfo("Asia/Taipei")).date()
    day = [(today - timedelta(days=n)).isoformat() for n in range(4)]  # day[0] is today
    texts = {i: text for i, (_, text) in NOTICES.items()}
    _serve(http_server, "", texts)
    http_server.add(f"/changes/{day[0]}.csv", _changes(("101", "新增"), ("102", "新增"), ("103", "新增")))
    config = _config(tmp_path, http_server)
    spec = json.loads(Path(config).read_text(encoding="utf-8"))
    template = f"{http_server.url}/changes/{{date}}.csv"
    spec["sources"][0]["changes"] = template
    Path(config).write_text(json.dumps(spec, ensure_ascii=False), encoding="utf-8")
    build_corpus(config_path=config)  # the first run reads today's export only
    assert _published(tmp_path) == texts
    state = tmp_path / "data" / "state" / "change_exports.json"
    assert json.loads(state.read_text(encoding="utf-8")) == {template: day[0]}

    # as if the last run had been three days ago: the exports of the two days between and today are read
    state.write_text(json.dumps({template: day[3]}), encoding="utf-8")
    texts["101"] = "第一則（更正）：本府辦理道路養護工程延長至月底，施工期間請用路人改道通行。"
    _serve(http_server, "", texts)
    http_server.add(f"/changes/{day[2]}.csv", _changes(("101", "修改")))
    http_server.add(f"/changes/{day[1]}.csv", _changes(("103", "刪除")))
    http_server.add(f"/changes/{day[0]}.csv", _changes())
    build_corpus(config_path=config)
    assert _published(tmp_path) == {"101": texts["101"], "102": texts["102"]}
    assert all(http_server.hits.get(f"/changes/{d}.csv", 0) >= 1 for d in day[:3])
    assert json.loads(state.read_text(encoding="utf-8")) == {template: day[0]}
