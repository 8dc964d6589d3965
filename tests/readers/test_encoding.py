import codecs

import pytest

from pipeline.readers.encoding import DecodeFailure, canonical_declared, decode_bytes, eudc_code_point

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


def test_user_defined_big5_codes_become_their_private_use_code_points_not_hong_kong_characters():
    """Big5 造字 bytes decode to the private-use code points Windows' CP950 gives them (0xFECA -> U+E2DC), which
    normalisation then replaces from the evidence table (here 祕, as the Legislative Yuan page itself writes it),
    never to what big5hkscs would silently publish."""
    data = "法規".encode("cp950") + b"\xfe\xca" + "密".encode("cp950")
    assert data.decode("big5hkscs")[2] == "皷"  # what a lenient decoder would silently publish
    got = decode_bytes(data, declared="big5")
    assert got.text == "法規\ue2dc密" and got.encoding == "cp950+eudc"
    assert [eudc_code_point(*pair) for pair in ((0xFA, 0x40), (0x8E, 0x40), (0x81, 0x40), (0xC6, 0xA1))] == [
        0xE000,
        0xE311,
        0xEEB8,
        0xF6B1,
    ]
    assert eudc_code_point(0xA4, 0x40) is None  # 一: a standard character
    with pytest.raises(DecodeFailure) as info:  # a user-defined code next to bytes no Big5 has
        decode_bytes(data + b"\xfe\x20\x80", declared="big5")
    assert info.value.reason == "big5_user_defined_chars" and "0xFECA" in info.value.detail


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
    """30 of the real pages hold Big5 user-defined (造字) bytes: they decode, every 造字 to a private-use code point
    that the evidence table maps to a standard character."""
    from pipeline.normalize.private_use import PRIVATE_USE, load_table

    pages = sorted((realdata / "text_datasets/ly_lawstat_big5/version2").glob("*/*.html"))
    with_eudc = []
    for page in pages:
        got = decode_bytes(page.read_bytes(), declared="big5")
        assert got.encoding in ("cp950", "cp950+eudc"), page
        if got.encoding == "cp950+eudc":
            with_eudc.append(got.text)
    assert len(with_eudc) == 30
    table = load_table()
    for text in with_eudc:
        replaced, done = table.replace(text)
        assert done and not PRIVATE_USE.search(replaced)
        assert all(r.basis == "table" for r in done), [r.code for r in done if r.basis != "table"]
