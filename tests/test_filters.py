from pipeline.config import QualityConfig
from pipeline.extract.signals import language, signals
from pipeline.publish.rules import quality_verdict as decide

PROSE = (
    "為促進政府資料流通與加值運用，本總處持續推動各機關將業務資料以開放格式釋出，並定期檢視資料集之更新頻率與欄位說明。"
)


def test_prose_is_kept_and_signals_are_recorded():
    q = signals(PROSE, 1.0)
    assert q["language"] == "zh" and q["han_ratio"] > 0.85 and q["traditional_ratio"] == 1.0
    assert decide(q, len(PROSE), QualityConfig()) is None


def test_repeated_lines_repeated_phrase_digits_and_boilerplate_are_dropped():
    cfg = QualityConfig()
    cases = {
        "quality_duplicate_lines": "\n".join(["本頁資料更新中，請稍後再試。"] * 10),
        "quality_repetition": "好康報報" * 40,
        "quality_numeric": "人口統計表\n" + "\n".join(f"{i:05d} {i * 37:08d} {i * 91:06d}" for i in range(20)),
        "quality_boilerplate": "\n".join(
            [
                "回首頁",
                "網站導覽",
                "友善列印",
                "版權所有 © 2026 某機關",
                "隱私權及資訊安全政策",
                "政府網站資料開放宣告",
                "本文",
            ]
        ),
    }
    for reason, text in cases.items():
        got = decide(signals(text), len(text), cfg)
        assert got is not None and got[0] == reason, (reason, got)


def test_box_drawing_tables_are_layout_not_repetition():
    titles = "局長副局長主任秘書組長科長專員技正科員辦事員書記"
    rows = (f"├────┼────┤\n│{titles[i % 24 : i % 24 + 2]}│{i}人│" for i in range(20))
    table = "編制表\n┌────┬────┐\n" + "\n".join(rows) + "\n└────┴────┘"
    assert signals(table)["top_ngram_fraction"] < 0.3


def test_language_signal():
    assert language("The Ministry of Justice", 0, 20) == "en"
    assert language("tsi̍t-ē tsi̍t-puànn tsi̍t-sì-kè", 0, 20) == "nan-Latn"
    assert language("Guá sī Tâi-uân-lâng, guá kóng Tâi-gí.", 0, 20) == "nan-Latn"  # Tâi-lô, some words unhyphenated
    assert language("Góa sī Tâi-oân-lâng, góa beh khì chia̍h-pn̄g. Sin-niû ê saⁿ.", 0, 20) == "nan-Latn"  # POJ
    assert language("Gua2 si7 Tai5-uan5-lang5, gua2 beh4 khi3 tsiah8-png7.", 0, 20) == "nan-Latn"  # tone numbers
    # English hyphenates and borrows accents: words of syllables Taiwanese does not have.
    english = (
        "The so-called non-profit organizations shall file a long-term plan and a follow-up report, "
        "co-signed by the vice-chairperson, with the one-stop e-government service; the café and the "
        "résumé rules of the by-laws apply mutatis mutandis to a self-employed, full-time worker."
    )
    assert language(english, 0, 200) == "en"
    # Codes with numbers and the Wade-Giles names of Taiwan are no tone numbers or romanised Taiwanese.
    for short in ("Form A1", "PM2.5 PM10 O3 NO2 SO2", "MP3 files", "Tai-chung City Government", "Lee Teng-hui"):
        assert signals(short)["language"] == "en", short
    assert signals("e0 a0 lâng")["language"] == "nan-Latn"  # tone 0: the neutral tone
    assert language("臺灣", 2, 2) == "zh"
    assert language("12345", 0, 0) == "other"


def test_thresholds_are_configurable():
    text = "\n".join(["同一行文字重複出現。"] * 10)
    lenient = QualityConfig(max_dup_line_fraction=1.0, max_top_ngram_fraction=1.0)
    assert decide(signals(text), len(text), lenient) is None
    assert decide(signals(text), len(text), QualityConfig(enabled=False)) is None


def test_short_records_are_not_judged_by_ratios_or_language():
    cfg = QualityConfig()
    for text in ("0912-345-678", "A123456789", "12345", "開國紀念日"):
        assert decide(signals(text), len(text), cfg) is None, text
    long_other = "1234567890 " * 10
    assert decide(signals(long_other), len(long_other), cfg)[0] == "quality_numeric"
