"""data.gov.tw through the real flow against a replay server on 127.0.0.1: quirks and incremental fetching."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from tests.conftest import REALDATA

CALENDAR_CSV = "西元日期,星期,是否放假,備註\r\n20250101,三,2,開國紀念日\r\n20250102,四,0,\r\n20250127,一,2,小年夜\r\n"


def _metadata(dataset_id: str, resources: list[dict]) -> dict:
    return {
        "success": True,
        "result": {
            "datasetId": dataset_id,
            "title": "中華民國政府行政機關辦公日曆表",
            "license": "政府資料開放授權條款－第 1 版",
            "publisherOID": "2.16.886.101.20003.20006|行政院人事行政總處",
            "publisherContactName": "林小姐",
            "publisherContactPhone": "02-23979298",
            "publisherContactEmail": "cal@dgpa.example.gov.tw",
            "numberOfData": "365",
            "modifiedDate": "2025-10-20 10:00:00",
            "distribution": resources,
        },
    }


@pytest.fixture
def replay(http_server):
    return serve_calendar(http_server)


def serve_calendar(http_server):
    """Dataset 14718's metadata and files on the replay server (the real CP950 CSV when realdata is here)."""
    big5 = CALENDAR_CSV.encode("cp950")
    if REALDATA.is_dir():  # the real CP950 file of dataset 14718
        big5 = (
            REALDATA / "text_datasets/dgpa_office_calendar_14718/114年中華民國政府行政機關辦公日曆表1141020更新.csv"
        ).read_bytes()
    http_server.add(
        "/api/v2/rest/dataset/14718",
        _metadata(
            "14718",
            [
                {
                    "resourceFormat": "CSV",
                    "resourceCharacterEncoding": "BIG5",
                    "resourceAmount": "365",
                    "resourceDescription": "114年01月01日開始收錄",
                    "resourceDownloadUrl": "https://www.dgpa.gov.tw/cal/114.csv",
                },
                {
                    "resourceFormat": "CSV",
                    "resourceCharacterEncoding": "UTF-8",
                    "resourceDownloadUrl": "https://www.dgpa.gov.tw/cal/115.csv",
                },
                {"resourceFormat": "ODS", "resourceDownloadUrl": "https://www.dgpa.gov.tw/cal/115.ods"},
                {"resourceFormat": "ZIP", "resourceDownloadUrl": "https://www.dgpa.gov.tw/cal/notes.zip"},
            ],
        ),
        headers={"ETag": '"m1"'},
    )
    notes = io.BytesIO()
    with zipfile.ZipFile(notes, "w") as zf:
        zf.writestr(
            "notes.xml", "<notes><note><說明>春節連假期間各機關停止上班，民眾洽公請提早安排時間。</說明></note></notes>"
        )
        zf.writestr("scan.pdf", b"%PDF-1.4")
    http_server.add("/files/cal/notes.zip", notes.getvalue(), headers={"ETag": '"z1"'})
    http_server.add("/api/v2/rest/dataset/1", '"Not found"')
    http_server.add("/files/cal/114.csv", big5, headers={"ETag": '"a1"', "Content-Type": "text/html; charset=UTF-8"})
    http_server.add(
        "/files/cal/115.csv",
        "\ufeff" + CALENDAR_CSV.replace("2025", "2026"),
        headers={"ETag": '"b1"'},
        fail_first=[503],
    )
    return http_server


def _config(tmp_path: Path, server) -> Path:
    cfg = {
        "output_dir": str(tmp_path / "corpus"),
        "data_dir": str(tmp_path / "data"),
        "fetch": {"backoff_s": 0.01},
        "sources": [
            {
                "kind": "datagovtw",
                "base_url": server.url,
                "datasets": ["14718", "1"],
                "url_map": {"https://www.dgpa.gov.tw/": f"{server.url}/files/"},
                "text_fields": {"14718": ["備註"]},
                "id_fields": {"14718": "西元日期"},
            }
        ],
    }
    path = tmp_path / "datagovtw.yaml"
    path.write_text(json.dumps(cfg, ensure_ascii=False), encoding="utf-8")
    return path


def _report(summary: dict) -> dict:
    return json.loads((Path(summary["report_dir"]) / "report.json").read_text(encoding="utf-8"))


def test_platform_quirks_and_incremental_runs(prefect_harness, replay, tmp_path):
    from flows.build_corpus import build_corpus

    config = str(_config(tmp_path, replay))
    first = build_corpus(config_path=config)
    report = _report(first)
    by_url = {r["resource_url"]: r for r in report["resources"]}
    big5 = by_url["https://www.dgpa.gov.tw/cal/114.csv"]
    assert big5["decoder"] == "cp950" and big5["published"] >= 2
    assert by_url["https://www.dgpa.gov.tw/cal/115.csv"]["decoder"] == "utf-8-sig"  # after one 503
    assert by_url["https://www.dgpa.gov.tw/cal/115.ods"]["rejected"] == {"fetch_failed": 1}  # read, but not served
    # the member scan.pdf is read as a PDF now: eight bytes of header are no document
    assert by_url["https://www.dgpa.gov.tw/cal/notes.zip"]["rejected"] == {"unreadable_document": 1}
    assert by_url["https://www.dgpa.gov.tw/cal/notes.zip"]["published"] == 1
    missing = by_url[f"{replay.url}/api/v2/rest/dataset/1"]
    assert missing["rejected"] == {"resource_unavailable": 1}

    published = pq.read_table(tmp_path / "corpus/data").to_pylist()
    row = next(r for r in published if r["text"] == "開國紀念日")
    assert row["resource_url"].endswith("114.csv") and row["source_encoding"] == "cp950"
    assert row["agency"] == "行政院人事行政總處" and row["agency_id"] == "2.16.886.101.20003.20006"
    assert row["license"] == "OGDL-Taiwan-1.0" and row["source_record_id"] == "20250101"
    assert row["modified_at"].isoformat() == "2025-10-20T02:00:00+00:00"
    assert not any("林小姐" in str(r) or "cal@dgpa" in str(r) for r in published)
    rejected = pq.read_table(tmp_path / "corpus/rejected").to_pylist()
    assert "'Not found'" in next(r["reason_detail"] for r in rejected if r["resource_url"].endswith("/dataset/1"))

    bodies = dict(replay.full_bodies)
    second = build_corpus(config_path=config)
    with_validators = [path for path, route in replay.routes.items() if "ETag" in route.headers]
    assert {p: replay.full_bodies[p] for p in with_validators} == {p: bodies[p] for p in with_validators}
    assert replay.hits["/files/cal/114.csv"] == 2  # asked, answered 304
    assert second["resources_reused"] == second["resources"]
    assert _report(second)["content_sha256"] == report["content_sha256"]

    replay.add(
        "/files/cal/115.csv",
        "\ufeff" + CALENDAR_CSV.replace("2025", "2026").replace("小年夜", "除夕"),
        headers={"ETag": '"b2"'},
    )
    third = build_corpus(config_path=config)
    assert third["resources_reused"] == third["resources"] - 1
    texts = {r["text"] for r in pq.read_table(tmp_path / "corpus/data").to_pylist()}
    assert "除夕" in texts
    diff = _report(third)["diff"]  # the changed dataset, and only it, in the report's diff
    assert diff["previous_run_id"] == _report(second)["release_run_id"]
    assert not diff["added"] and not diff["removed"]
    assert [(d["dataset"], d["content_changed"]) for d in diff["changed"]] == [("datagovtw/14718", True)]
