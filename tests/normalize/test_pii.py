import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.normalize import normalize
from pipeline.normalize.pii import DETECTORS, redact, valid_national_id, valid_resident_certificate
from pipeline.publish.verify import personal_data


@pytest.mark.parametrize("value", ["A123456789", "F131104093", "Q268472619", "M120935514"])
def test_valid_national_ids(value):
    assert valid_national_id(value)


@pytest.mark.parametrize("value", ["A123456788", "A323456789", "AA23456789", "A12345678"])
def test_invalid_national_ids(value):
    assert not valid_national_id(value)


def test_resident_certificates_old_and_new_formats():
    assert valid_resident_certificate("A800000014")  # 2021 format
    assert valid_resident_certificate("AC01234567")  # old format, second letter C
    assert not valid_resident_certificate("A800000015")
    assert not valid_resident_certificate("AC01234568")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("身分證A123456789。", "身分證<身分證字號>。"),
        ("居留證號A800000014", "居留證號<居留證號>"),
        ("手機0912-345-678或0912345678", "手機<手機號碼>或<手機號碼>"),
        ("請撥+886 912 345 678", "請撥<手機號碼>"),
        ("電話(02)2345-6789#123，", "電話<電話號碼>，"),
        ("電話：02-23456789、049-2345678。", "電話：<電話號碼>、<電話號碼>。"),
        ("信箱 abc.def@mail.gov.tw 。", "信箱 <電子郵件> 。"),
        ("電子郵件opendata-contact@example.gov.tw。", "電子郵件<電子郵件>。"),
        ("卡號4111 1111 1111 1111", "卡號<信用卡號>"),
        # as agencies write them: full-width parentheses, dashes and #, which width folding keeps
        ("洽詢（06）2993992。", "洽詢<電話號碼>。"),
        ("電話：06－3901459，", "電話：<電話號碼>，"),
        ("（02）8992-8890轉123", "<電話號碼>"),
        ("電話：06-2991111＃885 / 0912－345－678", "電話：<電話號碼> / <手機號碼>"),
        ("傳真：（06）2983451。", "傳真：<電話號碼>。"),
        ("電子信箱：aiping＠mail．moe.gov．tw。", "電子信箱：<電子郵件>。"),
        ("ｅｍａｉｌ：ｓｅｒｖｉｃｅ﹫ｍａｉｌ．ｔａｉｎａｎ．ｇｏｖ．ｔｗ", "ｅｍａｉｌ：<電子郵件>"),
        # a local number right after the word for a phone
        ("電話：2993992#123", "電話：<電話號碼>"),
        ("聯絡電話 2991111分機8801", "聯絡電話 <電話號碼>"),
        ("TEL:2345-6789", "TEL:<電話號碼>"),
    ],
)
def test_redactions(text, expected):
    assert redact(text)[0] == expected


@pytest.mark.parametrize(
    "text",
    [
        "無效身分證A123456788與居留證A800000015",
        "統一編號12345678，人口 23456789 人，第 12 條，民國113年1月1日，2024-01-01。",
        "勞人1字第0940500123號函；內授中辦地字第0940725063號",
        "卡號4111 1111 1111 1112（校驗碼錯誤）",
        "第 1 條至第 1234 條，113.05.20 公告，金額 1,234,567 元。",
        "電話費用12345678元；專線使用第2345678號",  # a sum after 電話費用, a document number
        "車號7H-0855 990507 第（02）8992-8890號",
    ],
)
def test_lookalikes_are_left_alone(text):
    out, counts = redact(text)
    assert out == text and not counts


def test_categories_can_be_switched_off():
    text = "A123456789 / 0912345678"
    out, counts = redact(text, {"mobile"})
    assert out == "A123456789 / <手機號碼>" and counts == {"mobile": 1}


def test_laws_contain_almost_no_personal_data(realdata):
    hits = 0
    chars = 0
    for path in sorted((realdata / "moj_laws/split_ch_law").glob("[A-Z]*.json")):
        law = json.loads(path.read_text(encoding="utf-8"))
        text = "\n".join(a["ArticleContent"] for a in law["LawArticles"])
        chars += len(text)
        hits += sum(redact(text)[1].values())
    assert chars > 5_000_000 and hits == 0


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet=st.sampled_from("0123456789 -()+#轉分機ext.@abcAZ9８號第字"), max_size=40))
def test_a_detector_is_skipped_only_when_its_pattern_cannot_match(text):
    """The cheap hint that lets redact skip a pattern holds for every text the pattern validly matches."""
    for det in DETECTORS:
        if any(det.valid(m.group(0)) for m in det.pattern.finditer(text)):
            assert det.hint(text), (det.category, text)


def test_real_city_news_keeps_no_phone_number_after_redaction(realdata):
    """Tainan City news (June 2024) writes ~300 phone numbers in full- and half-width forms; after the pipeline's
    normalisation and redaction, neither the redactor nor verify's independent second reading finds one."""
    redacted = 0
    for path in sorted((realdata / "external/tainan_news_2024_06").glob("*.json")):
        item = json.loads(path.read_text(encoding="utf-8"))
        for field in ("title", "content"):
            text, counts = redact(normalize(item[field])[0])
            redacted += counts["landline"] + counts["mobile"]
            assert personal_data(text) == [], (path.name, field)
    assert redacted >= 250


@pytest.mark.parametrize(
    "text",
    [
        "請洽 06 2993992 辦理",  # area code and number apart by a space only
        "電話：06.299.3992",  # dots
        "手機 0912.345.678",
        "Phone: 2993992",
        "專線 (06) 299 3992",
    ],
)
def test_verify_names_phone_numbers_the_redactor_never_saw(text):
    """verify reads published text a second way, independent of the redactor's patterns: what the redactor
    lets through in forms it does not know is still named (by category and offset)."""
    hits = personal_data(text)
    assert hits and all(cat in ("landline", "mobile", "phone (second reading)") for cat, _ in hits), hits


@given(
    st.text(
        alphabet=st.sampled_from("０１９（）〔〕－‐—﹣−＃＋．＠﹫＿ＡＺａｚ\u3000\u00a0電話02-2345678號第()- a1臺@"),
        max_size=60,
    )
)
@settings(max_examples=300)
def test_the_shadow_replaces_exactly_what_a_translation_table_would(text):
    from pipeline.normalize.pii import _SHADOW, shadow

    assert shadow(text) == text.translate(_SHADOW)
    assert len(shadow(text)) == len(text)
