import codecs

import pytest

from pipeline.readers.encoding import DecodeFailure, canonical_declared, decode_bytes

CALENDAR = "text_datasets/dgpa_office_calendar_14718"


def test_bom_wins_over_a_wrong_declaration():
    data = codecs.BOM_UTF8 + "西元日期,備註\r\n".encode()
    got = decode_bytes(data, declared="BIG5")
    assert got.text == "西元日期,備註\r\n" and got.encoding == "utf-8-sig" and got.how == "bom"


def test_declared_big5_means_cp950_so_eten_characters_survive():
    data = "圍棋的碁字與框線═".encode("cp950")
    with pytest.raises(UnicodeDecodeError):
        data.decode("big5")  # why the policy never uses plain big5
    got = decode_bytes(data, declared="BIG5")
    assert got.text == "圍棋的碁字與框線═" and got.encoding == "cp950" and got.how == "declared"


def test_wrong_declaration_falls_through_to_strict_utf8():
    got = decode_bytes("開國紀念日".encode(), declared="big5")
    assert got.encoding == "utf-8" and got.text == "開國紀念日"


def test_undeclared_cp950_is_found_after_utf8_fails():
    got = decode_bytes("小年夜,補假".encode("cp950"))
    assert got.encoding == "cp950" and got.how == "cp950"


def test_user_defined_big5_codes_are_quarantined_not_mis_mapped():
    data = "法規".encode("cp950") + b"\xfe\xca" + "密".encode("cp950")
    assert data.decode("big5hkscs")[2] == "皷"  # what a lenient decoder would silently publish
    with pytest.raises(DecodeFailure) as info:
        decode_bytes(data, declared="big5")
    assert info.value.reason == "big5_user_defined_chars"
    assert "0xFECA" in info.value.detail and "cp950 fails at byte 4" in info.value.detail


def test_garbage_is_undecodable_with_offsets():
    with pytest.raises(DecodeFailure) as info:
        decode_bytes(b"ok\xff\xff\xff")
    assert info.value.reason in {"undecodable", "big5_user_defined_chars"}
    assert "utf-8 fails at byte 2" in info.value.detail


@pytest.mark.parametrize(
    ("declared", "codec"), [("UTF-8", "utf-8"), ("MS950", "cp950"), ("Big5", "cp950"), ("", None), ("EBCDIC", None)]
)
def test_declared_names(declared, codec):
    assert canonical_declared(declared) == codec


def test_real_calendar_csvs_utf8_bom_and_one_cp950(realdata):
    folder = realdata / CALENDAR
    seen = {}
    for path in sorted(folder.glob("*.csv")):
        got = decode_bytes(path.read_bytes())
        assert got.text.removeprefix("\ufeff").startswith("西元日期,星期,是否放假,備註")
        seen[path.name] = got.encoding
    assert seen["114年中華民國政府行政機關辦公日曆表1141020更新.csv"] == "cp950"
    assert sum(1 for c in seen.values() if c == "utf-8-sig") == 11


def test_real_legislative_yuan_pages_with_user_defined_bytes(realdata):
    pages = sorted((realdata / "text_datasets/ly_lawstat_big5/version2").glob("*/*.html"))
    failed = decoded = 0
    for page in pages:
        try:
            got = decode_bytes(page.read_bytes(), declared="big5")
        except DecodeFailure as exc:
            failed += 1
            assert exc.reason == "big5_user_defined_chars", page
        else:
            decoded += 1
            assert got.encoding == "cp950"
    assert failed == 30 and decoded == len(pages) - 30
