import json
from pathlib import Path

import pytest

from pipeline.normalize.chinese import classify, script_stats, to_traditional
from pipeline.normalize.segment import words


@pytest.mark.parametrize(
    ("text", "script"),
    [
        ("推動政府資料開放，提升資料品質與再利用。", "hant"),
        ("政府数据开放平台提供各类数据集，用户可以免费下载。", "hans"),
        ("臺灣的政府資料開放平臺。本平台提供数据下载服务，欢迎使用。", "mixed"),
        ("Open data portal of Taiwan", "other"),
        ("台北市里長准予雇用秘書。", "hant"),  # 台 里 准 雇 秘 are standard in Taiwan
        ("中文", "hant"),  # no script-specific character: nothing to convert
    ],
)
def test_classification(text, script):
    stats = script_stats(text)
    assert classify(stats, sum(ch.isalpha() for ch in text)) == script


def test_simplified_document_is_converted_with_taiwan_phrases():
    r = to_traditional("政府数据开放平台提供各类数据集，用户可以免费下载。")
    assert r.text == "政府資料開放平臺提供各類資料集，使用者可以免費下載。"
    assert r.script == "hans" and r.changed_chars > 10 and r.samples


def test_s2tw_keeps_the_words_and_changes_only_characters():
    r = to_traditional("政府数据开放平台", config="s2tw")
    assert r.text == "政府數據開放平臺"


def test_mixed_document_converts_only_its_simplified_spans():
    trad = "依據本法第三條規定，里長應於期限內公告。"
    r = to_traditional(trad + "本平台提供数据下载服务，欢迎使用。")
    assert r.text.startswith(trad) and "提供資料下載服務，歡迎使用。" in r.text
    assert r.script == "mixed"


def test_traditional_text_is_never_converted(realdata):
    law = json.loads((realdata / "moj_laws/split_ch_law/A0000001.json").read_text(encoding="utf-8"))
    text = "\n".join(a["ArticleContent"] for a in law["LawArticles"])
    r = to_traditional(text)
    assert r.script == "hant" and r.text == text and r.changed_chars == 0
    assert r.traditional_ratio is not None and r.traditional_ratio > 0.95


def test_optional_t2tw_variants_only_touch_traditional_text():
    r = to_traditional("為了鞏固國權，着手研究。", variants="t2tw")
    assert r.script == "hant"
    assert r.text == "為了鞏固國權，著手研究。" and r.changed_chars == 1


def test_segmentation_with_the_traditional_dictionary():
    assert words("臺灣的政府資料開放平臺") == ["臺灣", "的", "政府", "資料", "開放", "平臺"]


def test_the_fast_segmenter_cuts_as_jieba_does_with_the_same_dictionary():
    """jieba-rs (the segmenter used) against jieba itself, on the Chinese runs of the sample files and, when
    present, of 200 real laws: the same words, in the same places. (Runs of ASCII joined by - or . differ:
    jieba-rs keeps DGPA-NEWS-0001 whole where jieba cuts it in three; n_words counts such a run once.)"""
    import json
    import logging
    import re

    import jieba

    from pipeline.normalize.segment import tokenizer, traditional_dictionary
    from tests.conftest import REALDATA, ROOT

    jieba.setLogLevel(logging.WARNING)
    reference = jieba.Tokenizer(dictionary=traditional_dictionary())
    files = sorted((ROOT / "data/sample").rglob("*.json*"))
    files += sorted(REALDATA.glob("moj_laws/split_ch_law/*.json"))[:200]
    han_runs = re.compile(r"[\u4e00-\u9fff\u3000-\u303f\uff01-\uff5e]{2,}")
    texts = [t for p in files for t in han_runs.findall(json.dumps(_load(p), ensure_ascii=False))]
    assert len(texts) > 20
    for text in texts:
        assert tokenizer().cut(text, True) == list(reference.cut(text, HMM=True)), text[:80]


def _load(path: Path) -> object:
    text = path.read_text(encoding="utf-8-sig")
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


@pytest.mark.parametrize(
    "text",
    [
        "發稿人：綜合企劃科 施瑋筑科員",  # a name: 筑 is in Big5 (OpenCC's s2t makes it 築)
        "臺南友好城市—日本本庄市府會首長13日下午聯袂率團拜會",  # a Japanese city: 庄
        "日本出口「DAICHI SHOKUHIN羊栖菜(HIJIKI)」檢出重金屬含量不符規定",  # 栖
        "四、審查并公告。",  # 并 in an old law
        "台南大遠百捐贈粽子禮盒  黃偉哲感謝企業以粽傳愛關懷弱勢",  # 台
        "公布施行，万一發生爭議，于法有據。",  # 万 于: in Big5, standard in Taiwan
    ],
)
def test_traditional_text_with_characters_opencc_also_lists_as_simplified_is_left_alone(text):
    """Characters Big5 encodes are standard in Taiwan: never evidence of Simplified text (real records that the
    former hand-made exception list let through to conversion)."""
    r = to_traditional(text)
    assert r.script == "hant" and r.text == text and r.changed_chars == 0


def test_one_simplified_character_does_not_make_a_text_simplified():
    assert to_traditional("本案經審查后決議通過。").script == "hant"  # 后: in Big5
    assert to_traditional("請各单位配合辦理。").text == "請各单位配合辦理。"  # 单 is Simplified-only: one is not enough
    assert to_traditional("请各单位配合办理。").script == "hans"  # 请 单 办: a Simplified text


def _short_real_records(realdata: Path) -> list[str]:
    out: list[str] = []
    for path in (realdata / "external/tainan_news_2024_06").glob("*.json"):
        item = json.loads(path.read_text(encoding="utf-8"))
        out += [item["title"], item["content"], *item["content"].split("\n")]
    for path in (realdata / "external/president_news_2024").glob("*.json"):
        item = json.loads(path.read_text(encoding="utf-8"))
        out += [item["title"], *(item.get("content_paragraphs") or [])]
    for path in (realdata / "moj_laws").glob("split_ch_*/*.json"):
        law = json.loads(path.read_text(encoding="utf-8"))
        out += [law["LawName"], *(a["ArticleContent"] for a in law["LawArticles"])]
    for path in (realdata / "external/moj_legacy_english").glob("*.json"):
        out.append(json.loads(path.read_text(encoding="utf-8"))["中文法規名稱"])
    return [t for t in out if t and t.strip() and len(t) < 100]


def test_no_short_traditional_record_of_the_real_data_is_converted(realdata):
    """Every real record under 100 characters (news titles and paragraphs, law names and articles): zero
    conversions (the former rules converted 6 of ~62,000 short records here and in other real folders)."""
    from pipeline.normalize import normalize

    records = _short_real_records(realdata)
    assert len(records) > 50_000
    converted = [t for t in records if to_traditional(normalize(t)[0]).changed_chars]
    assert converted == []
