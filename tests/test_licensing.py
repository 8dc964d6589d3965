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
    table = licensing.load_table()
    assert licensing.canonical("某種授權").id == licensing.UNKNOWN
    assert licensing.canonical(None).id == licensing.UNKNOWN
    nd = licensing.canonical("創用 CC 姓名標示-禁止改作 3.0 臺灣")
    assert nd.id == "CC-BY-ND-3.0-TW" and nd.license_class == "no-derivatives"
    assert table.policy(nd.id) == "deny"
    assert table.policy(licensing.UNKNOWN) == "review"
    assert table.policy("OGDL-Taiwan-1.0") == "allow"
    assert table.policy("no-such-id") == "review"  # anything not in the table is unknown


@pytest.mark.parametrize(
    ("raw", "expected", "policy"),
    [
        ("政府資料開放平臺資料使用規範", "LicenseRef-TW-DataGovTw-Terms-2013", "review"),
        ("依政府資料開放平臺使用規範", "LicenseRef-TW-DataGovTw-Terms-2013", "review"),
        ("全國法規資料庫公開資料使用規範", "LicenseRef-TW-MOJ-Laws-Terms-2016", "review"),
        ("著作權法第9條", "LicenseRef-TW-Copyright-Act-Art9", "allow"),
        ("CC0", "CC0-1.0", "allow"),
        ("CC BY 4.0", "CC-BY-4.0", "allow"),
        ("cc by-sa 4.0", "CC-BY-SA-4.0", "review"),
        ("CC BY-NC 4.0", "CC-BY-NC-4.0", "deny"),
        ("創用CC 姓名標示－禁止改作 3.0 台灣", "CC-BY-ND-3.0-TW", "deny"),
        ("http://data.gov.tw/license", "OGDL-Taiwan-1.0", "allow"),
        ("臺灣主權AI訓練語料授權條款－第1版", "LicenseRef-TW-Sovereign-AI-Corpus-1.0", "review"),  # terms not read yet
        ("台灣主權 AI 訓練語料授權條款-第1版", "LicenseRef-TW-Sovereign-AI-Corpus-1.0", "review"),
    ],
)
def test_the_table_maps_what_publishers_write(raw, expected, policy):
    lic = licensing.canonical(raw)
    assert lic.id == expected and licensing.load_table().policy(lic.id) == policy


def test_run_overrides_win_over_the_table():
    from pipeline.config import LicensePolicy

    table = licensing.load_table()
    approved = LicensePolicy(allow=["LicenseRef-TW-DataGovTw-Terms-2013"], review=["OGDL-Taiwan-1.0"])
    assert table.policy("LicenseRef-TW-DataGovTw-Terms-2013", approved) == "allow"
    assert table.policy("OGDL-Taiwan-1.0", approved) == "review"
    assert table.policy("CC-BY-ND-3.0-TW", approved) == "deny"


def test_a_broken_table_or_an_unknown_override_is_a_config_error(tmp_path):
    import re

    from pipeline.config import ConfigError, load_config

    source = "sources: [{kind: local, paths: ['x/*.jsonl'], format: jsonl, text_field: text, dataset: {id: d}}]\n"

    bad = tmp_path / "licenses.yaml"
    bad.write_text("licenses:\n  LicenseRef-Unknown: {name: x, policy: maybe}\n", encoding="utf-8")
    cfg = tmp_path / "c.yaml"
    cfg.write_text(source + "licenses: {table: licenses.yaml}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=re.escape("licenses.LicenseRef-Unknown.policy: 'maybe'")):
        load_config(cfg)
    cfg.write_text(source + "licenses: {allow: [CC-BY-99]}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=re.escape("licenses.allow: CC-BY-99 not in the licence table")):
        load_config(cfg)
    clash = tmp_path / "clash.yaml"
    clash.write_text(
        "licenses:\n  LicenseRef-Unknown: {name: x}\n"
        "  A: {name: a, aliases: [same]}\n  B: {name: b, aliases: [Same]}\n",
        encoding="utf-8",
    )
    with pytest.raises(licensing.LicenseTableError, match="alias 'Same' of B is already an alias of A"):
        licensing.LicenseTable.load(clash)


def test_ogdl_attribution_names_agency_dataset_licence_and_link():
    text = licensing.attribution(licensing.canonical("1"), "行政院人事行政總處", "辦公日曆表", "14718")
    for part in (
        "行政院人事行政總處",
        "辦公日曆表",
        "14718",
        "政府資料開放授權條款－第1版",
        "1.0",
        "https://data.gov.tw/license",
    ):
        assert part in text
    assert licensing.attribution(licensing.canonical("??"), "a", "b", "c") is None
