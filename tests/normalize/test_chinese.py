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
