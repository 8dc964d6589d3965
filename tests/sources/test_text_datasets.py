"""`select: {text_only, formats}`: aiming a data.gov.tw run at the text datasets of a catalogue, judged from
catalogue rows and metadata answers alone, then a real run that reads only those."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from pipeline.config import CatalogSelect, DataGovTwSource, load_config
from pipeline.fetch import Fetcher, Ledger, RawStore
from pipeline.sources import datagovtw
from pipeline.sources.datagovtw_catalog import matches, parse_catalog
from pipeline.sources.text_datasets import field_names, is_text_field, text_reason, title_genre

HEADER = "資料集識別碼,資料集名稱,檔案格式,資料下載網址,編碼格式,主要欄位說明,提供機關,授權方式"
LICENCE = "政府資料開放授權條款-第1版"
# Titles as agencies write them (taken from the platform's catalogue); URLs point at the test server's names.
ROWS = {
    "176354": ("福隆濱海渡假小鎮", "PDF", "a.pdf", "", "交通部觀光署"),
    "9476": ("新聞稿", "JSON", "news.json", "發布日期;標題;新聞內容", "中央銀行"),
    "130222": ("民用航空局最新消息", "CSV", "latest.csv", "", "民用航空局"),
    "60001": ("法規問答", "CSV", "qa.csv", "問題、答案", "某機關"),
    "117370": ("30280-90-01-2 臺中市政府新聞局發布新聞稿則數", "CSV", "count.csv", "年度;則數", "臺中市政府新聞局"),
    "14718": ("中華民國政府行政機關辦公日曆表", "CSV;JSON", "cal.csv;cal.json", "西元日期;星期;是否放假", "人事總處"),
    "175747": ("衛生福利年報", "CSV;PDF", "year.csv;year.pdf", "", "衛生福利部"),
    "176664": ("114年1-4月整體治安情勢統計", "PDF", "crime.pdf", "", "警政署"),
}


def _catalog() -> str:
    lines = []
    for i, (title, fmt, files, fields, agency) in ROWS.items():
        urls = ";".join(f"https://open.example.gov.tw/{f}" for f in files.split(";"))
        lines.append(f"{i},{title},{fmt},{urls},UTF-8,{fields},{agency},{LICENCE}")
    return "\ufeff" + HEADER + "\r\n" + "\r\n".join(lines) + "\r\n"


def test_each_rule_on_catalogue_rows():
    entries = {e.id: e for e in parse_catalog(_catalog())}
    reasons = {i: text_reason(e) for i, e in entries.items()}
    assert reasons == {
        "176354": "format pdf",
        "9476": "field 新聞內容",
        "130222": "title 最新消息",
        "60001": "field 答案",
        "117370": None,  # 新聞稿 counted by year: figures
        "14718": None,
        "175747": "format pdf",
        "176664": None,  # a PDF of figures is a table
    }
    pick = lambda **kw: {i for i, e in entries.items() if matches(e, CatalogSelect(**kw))}  # noqa: E731
    assert pick(text_only=True) == {"176354", "9476", "130222", "60001", "175747"}
    assert pick(formats=["PDF"]) == {"176354", "175747", "176664"}
    assert pick(formats=["pdf"], agencies=["衛生福利部"]) == {"175747"}
    assert pick(text_only=True, agencies=["中央銀行", "人事總處"]) == {"9476"}


def test_field_and_title_words():
    assert field_names("標題、內容(HTML)、發布日期") == ["標題", "內容(HTML)", "發布日期"]
    assert is_text_field("內容(HTML)") and is_text_field("法規條文") and is_text_field("content")
    assert not is_text_field("備註") and not is_text_field("標題") and not is_text_field("內容類別代碼")
    assert title_genre("臺北市稅捐稽徵處常見問答集") == "問答"
    assert title_genre("新竹市政府1999服務專線熱門問答點閱數統計表-109年") is None
    assert title_genre("臺北捷運各站進出人次") is None
    assert title_genre("公害糾紛處理法") == title_genre("臺灣土地銀行存匯款業務各項服務手續費收費標準") == "法規名稱"
    assert title_genre("歷年就業者之獲得現職方法") is None and title_genre("違反勞動法令事業單位-勞動基準法") is None


def test_real_metadata_answers_are_not_text(realdata):
    """The platform's own catalogue dataset and NBINet's bibliographic records: tables, not running text."""
    for name in ("dataset_A41000000G-000001", "dataset_A09050000E-000002"):
        body = (realdata / f"datagovtw/api_v1/{name}.response.json").read_bytes()
        entry = datagovtw.entry_from_metadata(datagovtw.parse_metadata(body, name), name)
        assert entry.fields and len(field_names(entry.fields)) >= 9
        assert {r.format for r in entry.resources} <= {"csv", "json", "xml"}
        assert text_reason(entry) is None, entry.title


def _discover(tmp_path: Path, source: dict) -> list:
    path = tmp_path / "c.yaml"
    path.write_text(json.dumps({"sources": [source]}, ensure_ascii=False), encoding="utf-8")
    cfg = load_config(path)
    src = cfg.corpus.sources[0]
    assert isinstance(src, DataGovTwSource)
    return datagovtw.discover(cfg, 0, src, Fetcher(RawStore(tmp_path / "raw"), Ledger(tmp_path / "l.sqlite")))


def test_catalogue_selection_reads_only_the_chosen_resources(http_server, tmp_path):
    http_server.add("/export/catalog.csv", _catalog())
    source = {"kind": "datagovtw", "catalog": f"{http_server.url}/export/catalog.csv"}
    texts = _discover(tmp_path, {**source, "select": {"text_only": True}})
    assert sorted({r.dataset.id for r in texts}) == ["130222", "175747", "176354", "60001", "9476"]
    assert sorted(r.url.rsplit("/", 1)[1] for r in texts if r.dataset.id == "175747") == ["year.csv", "year.pdf"]
    (tmp_path / "pdf").mkdir()
    pdfs = _discover(tmp_path / "pdf", {**source, "select": {"formats": ["PDF", "ODT"]}})
    assert sorted(r.url.rsplit("/", 1)[1] for r in pdfs) == ["a.pdf", "crime.pdf", "year.pdf"]  # not year.csv


def test_metadata_api_datasets_judged_by_their_fields(http_server, tmp_path):
    def meta(title: str, fields: list[str]) -> dict:
        dist = {
            "resourceFormat": "JSON",
            "resourceDownloadUrl": f"https://open.example.gov.tw/{title}.json",
            "resourceField": [{"name": f, "description": ""} for f in fields],
        }
        return {"success": True, "result": {"title": title, "license": "1", "distribution": [dist]}}

    http_server.add("/api/v2/rest/dataset/1", meta("本局公告", ["標題", "公告內容", "發布日期"]))
    http_server.add("/api/v2/rest/dataset/2", meta("停車場", ["名稱", "地址", "車位數"]))
    found = _discover(
        tmp_path,
        {"kind": "datagovtw", "base_url": http_server.url, "datasets": [1, 2], "select": {"text_only": True}},
    )
    assert [r.dataset.id for r in found] == ["1"]


@pytest.mark.usefixtures("prefect_harness")
def test_a_run_aimed_at_text_datasets(http_server, tmp_path, realdata):
    """The whole flow: a PDF report and a press-release table are published; a table of figures and a
    calendar are never downloaded."""
    from flows.build_corpus import build_corpus

    http_server.add("/export/catalog.csv", _catalog())
    pdf = realdata / "external/office_documents/工程促字第09800114010號函.pdf"
    http_server.add("/files/a.pdf", pdf.read_bytes())
    http_server.add("/files/year.pdf", pdf.read_bytes())
    http_server.add("/files/year.csv", "年度,人數\n112,100\n".encode())
    release = "本行今日宣布維持政策利率不變，重貼現率、擔保放款融通利率及短期融通利率分別維持年息百分之二"
    http_server.add("/files/news.json", [{"標題": "央行理監事會後記者會", "日期": "2026-09-18", "新聞內容": release}])
    cfg = {
        "output_dir": str(tmp_path / "corpus"),
        "data_dir": str(tmp_path / "data"),
        "sources": [
            {
                "kind": "datagovtw",
                "catalog": f"{http_server.url}/export/catalog.csv",
                "select": {"text_only": True, "agencies": ["交通部觀光署", "中央銀行", "衛生福利部", "人事總處"]},
                "url_map": {"https://open.example.gov.tw/": f"{http_server.url}/files/"},
            }
        ],
    }
    path = tmp_path / "text.yaml"
    path.write_text(json.dumps(cfg, ensure_ascii=False), encoding="utf-8")
    build_corpus(config_path=str(path))
    rows = pq.read_table(tmp_path / "corpus" / "data").to_pylist()
    rejected = {(r["dataset_id"], r["reason"]) for r in pq.read_table(tmp_path / "corpus" / "rejected").to_pylist()}
    by_dataset = {r["dataset_id"] for r in rows}
    assert by_dataset == {"176354", "9476"} and ("175747", "exact_duplicate") in rejected  # same PDF
    assert ("175747", "empty_text") in rejected  # year.csv holds figures only: read, and rejected as such
    assert any(release in r["text"] for r in rows)
    assert any("流感疫苗國產計畫BOO案" in r["text"] and r["dataset_id"] == "176354" for r in rows)
    assert not any(p in http_server.hits for p in ("/files/cal.csv", "/files/cal.json", "/files/count.csv"))
    assert "/files/latest.csv" not in http_server.hits and "/files/qa.csv" not in http_server.hits  # other agencies
