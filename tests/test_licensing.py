import pytest

from pipeline import licensing

OGDL_SPELLINGS = [
    "政府資料開放授權條款-第1版",
    "政府資料開放授權條款－第 1 版",
    "政府資料開放授權條款第1版",
    "OGDL-Taiwan-1.0",
    "1",
]


@pytest.mark.parametrize("raw", OGDL_SPELLINGS)
def test_ogdl_spellings(raw):
    assert licensing.canonical(raw).id == "OGDL-Taiwan-1.0"


def test_unknown_and_denied():
    assert licensing.canonical("某種授權").id == licensing.UNKNOWN
    assert licensing.canonical(None).id == licensing.UNKNOWN
    nd = licensing.canonical("創用 CC 姓名標示-禁止改作 3.0 臺灣")
    assert nd.id == "CC-BY-ND-3.0-TW"
    allow = ["OGDL-Taiwan-1.0"]
    assert licensing.policy(nd.id, allow) == "deny"
    assert licensing.policy(licensing.UNKNOWN, allow) == "review"
    assert licensing.policy("OGDL-Taiwan-1.0", allow) == "allow"


def test_ogdl_attribution_names_agency_dataset_licence_and_link():
    text = licensing.attribution(licensing.canonical("1"), "行政院人事行政總處", "辦公日曆表", "14718")
    for part in ("行政院人事行政總處", "辦公日曆表", "14718", "政府資料開放授權條款", "https://data.gov.tw/license"):
        assert part in text
    assert licensing.attribution(licensing.canonical("??"), "a", "b", "c") is None
