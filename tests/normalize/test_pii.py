import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.normalize.pii import DETECTORS, redact, valid_national_id, valid_resident_certificate


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
