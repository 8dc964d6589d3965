import json

import pytest

from pipeline.config import DataGovTwSource, load_config
from pipeline.fetch import Fetcher, Ledger, RawStore
from pipeline.sources import datagovtw
from pipeline.sources.base import Draft


def test_v1_metadata_from_the_real_platform(realdata):
    body = (realdata / "datagovtw/api_v1/dataset_A09050000E-000002.response.json").read_bytes()
    result = datagovtw.parse_metadata(body, "A09050000E-000002")
    info = datagovtw.dataset_info(result, "A09050000E-000002")
    assert info.agency == "國家圖書館" and info.agency_id == "A09050000E"
    assert info.license == "政府資料開放授權條款-第1版"
    assert info.title == "全國圖書書目資訊網(NBINet)"


def test_v2_publisher_oid_with_name():
    body = json.dumps(
        {
            "success": True,
            "result": {"title": "t", "license": "1", "publisherOID": "2.16.886.101.20003.20082|數位發展部"},
        }
    )
    info = datagovtw.dataset_info(datagovtw.parse_metadata(body.encode(), "157477"), "157477")
    assert info.agency == "數位發展部" and info.agency_id == "2.16.886.101.20003.20082"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b'"Not found"', "answered 'Not found'"),
        (b"Not found", "answered 'Not found'"),
        (b"<html>", "not JSON"),
        (b'{"success": false, "error": {"error_type": "ER0001"}}', "reported failure"),
        (b'{"success": true}', "no 'result' object"),
    ],
)
def test_platform_quirks_become_clear_errors(body, message):
    with pytest.raises(datagovtw.MetadataError, match=message):
        datagovtw.parse_metadata(body, "123")


def test_text_field_detection_prefers_long_chinese_columns():
    from pipeline.readers.records import Record

    recs = [
        Record(
            f"line:{i}",
            {"編號": str(i), "名稱": "甲機構", "說明": "本機構提供兒童及少年安置教養服務，並辦理個案輔導。"},
        )
        for i in range(3)
    ]
    assert datagovtw.detect_text_fields(recs) == ["說明"]


def test_discover_over_http_keeps_contact_data_out(http_server, tmp_path):
    meta = {
        "success": True,
        "result": {
            "title": "測試資料集",
            "publisher": "某機關",
            "license": "政府資料開放授權條款－第 1 版",
            "publisherContactName": "王小姐",
            "publisherContactEmail": "someone@example.gov.tw",
            "distribution": [
                {
                    "resourceFormat": "CSV",
                    "resourceDownloadUrl": "https://files.example.gov.tw/a.csv",
                    "resourceCharacterEncoding": "BIG5",
                },
                {"resourceFormat": "PDF", "resourceDownloadUrl": "https://files.example.gov.tw/a.pdf"},
            ],
        },
    }
    http_server.add("/api/v2/rest/dataset/42", meta)
    http_server.add("/files/a.csv", "名稱,說明\n甲,這是一段關於政府資料開放的中文說明文字。\n".encode("cp950"))
    cfg_path = tmp_path / "c.yaml"
    cfg_path.write_text(
        json.dumps(
            {
                "sources": [
                    {
                        "kind": "datagovtw",
                        "base_url": http_server.url,
                        "datasets": [42],
                        "url_map": {"https://files.example.gov.tw/": f"{http_server.url}/files/"},
                    }
                ]
            }
        ),
        encoding="utf-8",
    )
    cfg = load_config(cfg_path)
    fetcher = Fetcher(RawStore(tmp_path / "raw"), Ledger(tmp_path / "ledger.sqlite"))
    source = cfg.corpus.sources[0]
    assert isinstance(source, DataGovTwSource)
    resources = datagovtw.discover(cfg, 0, source, fetcher)
    assert [r.format for r in resources] == ["csv", "pdf"]  # a PDF distribution is read like any other
    csv_res = resources[0]
    assert csv_res.url == "https://files.example.gov.tw/a.csv" and csv_res.encoding_hint == "BIG5"
    assert csv_res.dataset.agency == "某機關" and csv_res.dataset.id == "42"
    fetched = fetcher.fetch(csv_res.url, csv_res.fetch_url)
    text = fetched.path.read_bytes().decode("cp950")
    out = [d for d in datagovtw.drafts(source, csv_res, text) if isinstance(d, Draft)]
    assert out[0].title == "甲" and out[0].text.startswith("甲\n這是一段")
    dumped = json.dumps([r.model_dump(mode="json") for r in resources], ensure_ascii=False)
    assert "王小姐" not in dumped and "someone@example.gov.tw" not in dumped
