from pipeline.normalize import normalize
from pipeline.normalize.hashing import exact_key, hashing_view


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
