import json

from pipeline.config import CatalogSelect
from pipeline.sources.datagovtw_catalog import changed_ids, matches, parse_catalog

HEADER = (
    "資料集識別碼,資料集名稱,資料提供屬性,服務分類,品質檢測,檔案格式,資料下載網址,編碼格式,"
    "資料集描述,提供機關,授權方式,詮釋資料更新時間"
)
ROWS = [
    "14718,中華民國政府行政機關辦公日曆表,原始資料,政府統計,金標章,CSV;JSON,"
    'https://a.gov.tw/114.csv;https://a.gov.tw/114.json,UTF-8;UTF-8,"各機關辦公日曆，含\r\n放假日",'
    "行政院人事行政總處,政府資料開放授權條款-第1版,2026-03-10 00:00:00.000000",
    "6564,政府資料開放平臺資料集清單,原始資料,綜合,銀標章,CSV;JSON;XML,https://d.gov.tw/e.csv;https://d.gov.tw/e.json,"
    "UTF-8,平臺上所有資料集,國家發展委員會,政府資料開放授權條款－第 1 版,2026-03-11 00:00:00.000000",
    "999,某字典,原始資料,文化,無,CSV,https://m.gov.tw/d.csv,BIG5,辭典,教育部,創用CC 姓名標示-禁止改作 3.0 臺灣,",
]


def _catalog() -> str:
    return "\ufeff" + HEADER + "\r\n" + "\r\n".join(ROWS) + "\r\n"


def test_bom_csv_with_semicolon_joined_resources_zipped_by_position():
    entries = {e.id: e for e in parse_catalog(_catalog())}
    cal = entries["14718"]
    assert cal.agency == "行政院人事行政總處" and cal.description == "各機關辦公日曆，含\r\n放假日"
    assert [(r.format, r.url, r.encoding) for r in cal.resources] == [
        ("csv", "https://a.gov.tw/114.csv", "UTF-8"),
        ("json", "https://a.gov.tw/114.json", "UTF-8"),
    ]
    ragged = entries["6564"].resources
    assert len(ragged) == 3 and all("3 formats but 2 download URLs" in (r.problem or "") for r in ragged)


def test_selection_by_agency_keyword_category_and_licence():
    entries = parse_catalog(_catalog())

    def pick(**kw) -> set[str]:
        return {e.id for e in entries if matches(e, CatalogSelect(**kw))}

    assert pick() == {"14718", "6564", "999"}
    assert pick(agencies=["教育部"]) == {"999"}
    assert pick(keywords=["日曆"]) == {"14718"}
    assert pick(categories=["綜合"]) == {"6564"}
    assert pick(licenses=["OGDL-Taiwan-1.0"]) == {"14718", "6564"}
    assert pick(ids=[14718, 999], licenses=["OGDL-Taiwan-1.0"]) == {"14718"}


def test_json_export_and_change_states():
    rows = [
        {"資料集識別碼": 1, "資料集名稱": "甲", "資料集變動狀態": "新增", "檔案格式": "CSV", "資料下載網址": "u1"},
        {"資料集識別碼": "2", "資料集名稱": "乙", "資料集變動狀態": "修改"},
        {"資料集識別碼": "3", "資料集名稱": "丙", "資料集變動狀態": "刪除"},
        {"資料集名稱": "no id"},
    ]
    entries = parse_catalog("\ufeff" + json.dumps(rows, ensure_ascii=False))
    assert [e.id for e in entries] == ["1", "2", "3"]
    assert changed_ids(entries) == ({"1", "2"}, {"3"})
