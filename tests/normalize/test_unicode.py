from pipeline.dedup.hashing import exact_key, hashing_view
from pipeline.normalize import normalize


def test_crlf_layout_and_indented_headings():
    text, steps = normalize("第 1 條\r\n為促進政府資料之開放\r\n，特制定本條例。  \r\n\r\n\r\n\r\n   第 二 章 附則\r\n")
    assert text == "第 1 條\n為促進政府資料之開放\n，特制定本條例。\n\n第 二 章 附則"
    assert steps == ["newlines", "layout_whitespace"]


def test_cjk_punctuation_and_ideographic_space_are_kept():
    original = "推動政府資料開放　提升資料品質，「開放」、（再利用）？"
    assert normalize(original) == (original, [])


def test_compatibility_ideograph_is_folded_and_recorded():
    text, steps = normalize("\ufa0c字")
    assert text == "\u5140字" and steps == ["nfc"]


def test_controls_zero_width_and_entities():
    text, steps = normalize("甲\u200b乙\x07丙&nbsp;丁&amp;")
    assert text == "甲乙丙 丁&" and steps == ["html_entities", "controls"]


def test_hashing_view_folds_width_space_and_punctuation():
    a = "為促進政府資料流通與加值運用，本總處持續推動。\n本總處表示，將優先改善。"
    b = "為促進政府資料流通與加值運用, 本總處持續推動.\n\n本總處表示,將優先改善."
    assert hashing_view(a) == hashing_view(b) == "为促进政府资料流通与加值运用本总处持续推动本总处表示将优先改善"
    assert exact_key(a) == exact_key("为促进政府资料流通与加值运用，本总处持续推动。本总处表示，将优先改善。")
    assert exact_key(a) == exact_key(b)
    assert exact_key("ＡＢＣ１２３") == exact_key("abc123")
    assert exact_key(a) != exact_key(a.replace("優先", "逐步"))


def test_fullwidth_letters_and_digits_fold_but_cjk_punctuation_stays():
    from pipeline.normalize.unicode import fold_fullwidth

    assert fold_fullwidth("ＡＢＣ１２３ａｂｃ，（附件）：「１」") == "ABC123abc，（附件）：「1」"


def test_unwrap_joins_hard_wrapped_sentences_but_not_headings_or_lists():
    from pipeline.normalize.unicode import unwrap_lines

    wrapped = "中華民國國民大會受全體國民之付託，依據孫中山先生創立中華民國之遺\n教，為鞏固國權，保障民權。"
    assert (
        unwrap_lines(wrapped)
        == "中華民國國民大會受全體國民之付託，依據孫中山先生創立中華民國之遺教，為鞏固國權，保障民權。"
    )
    article = (
        "第 3 條\n戒治所掌理下列事項：\n一、關於受戒治人之心理輔導、階段性處遇、文康活動、教育與集會等輔導事項\n"
        "二、其他事項。"
    )
    assert unwrap_lines(article) == article


def test_traditional_prose_is_byte_identical():
    from pipeline.config import NormalizeConfig, PiiConfig
    from pipeline.normalize import Normalizer

    prose = (
        "臺灣的政府資料開放平臺提供各機關資料集，使用者可以免費下載。「開放」、（再利用）？\n第二段：里長准予雇用秘書。"
    )
    out = Normalizer(NormalizeConfig(), PiiConfig())(prose)
    assert out.text == prose and out.steps == [] and out.script == "hant" and out.converted_chars == 0
