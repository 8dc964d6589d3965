import io
import zipfile

import pytest

from pipeline.readers.archive import iter_members
from pipeline.readers.html_text import html_title, html_to_text
from pipeline.readers.xml_reader import UnsafeXml, read_xml

GAZETTE = """<?xml version="1.0" encoding="UTF-8"?>
<Gazette>
<Record>
<MetaId><![CDATA[3725]]></MetaId>
<UndertakeGov/>
<Title><![CDATA[內政部令：修正規定]]></Title>
<HTMLContent><![CDATA[<table><tr><td>內政部令</td></tr><tr><td>中華民國94年6月21日\r\n</td></tr></table>
<p>&nbsp;&nbsp;修正「規定」第十九點，\r\n並自即日生效。</p>]]></HTMLContent>
</Record>
<Record><MetaId>3726</MetaId><Title>二</Title></Record>
</Gazette>
"""


def test_gazette_records_with_cdata_and_empty_elements():
    rows = list(read_xml(GAZETTE, "Record"))
    assert [r.locator for r in rows] == ["Record[0]", "Record[1]"]
    assert rows[0].fields["MetaId"] == "3725" and rows[0].fields["UndertakeGov"] == ""
    text = html_to_text(rows[0].fields["HTMLContent"])
    assert text == "內政部令\n中華民國94年6月21日\n\n修正「規定」第十九點，\n並自即日生效。"


def test_xml_with_entity_declarations_is_refused():
    bomb = '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><r><x>&b;</x></r>'
    with pytest.raises(UnsafeXml):
        list(read_xml(bomb))
    external = '<?xml version="1.0"?><!DOCTYPE r SYSTEM "http://127.0.0.1:9/evil.dtd"><r><x>ok</x></r>'
    assert [r.fields for r in read_xml(external)] == [{"x": "ok"}]  # the DTD is never fetched


def test_xml_declared_big5_after_decoding_is_read():
    text = '<?xml version="1.0" encoding="big5"?><r><item><t>臺灣</t></item></r>'
    assert [r.fields for r in read_xml(text)] == [{"t": "臺灣"}]


def test_html_visible_text_only():
    page = """<html><head><title> 公告 </title><style>p{}</style><script>var x='隱藏';</script></head>
    <body><nav>首頁 | 關於</nav><h1>標題</h1><p>第一段<br>第二行</p><ul><li>甲</li><li>乙</li></ul>
    <table><tr><td>欄一</td><td>欄二</td></tr></table><noscript>請啟用</noscript></body></html>"""
    assert html_to_text(page) == "標題\n\n第一段\n第二行\n\n甲\n乙\n\n欄一 欄二"
    assert html_title(page) == "公告"


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def test_zip_members_are_read_safely():
    data = _zip(
        {"ChLaw.json": b'{"Laws": []}', "../escape.json": b"{}", "bomb.json": b"0" * 1_000_000, "readme.txt": b"x"}
    )
    got = {m.name: m for m in iter_members(data, "*.json")}
    assert set(got) == {"ChLaw.json", "../escape.json", "bomb.json"}
    assert got["ChLaw.json"].data == b'{"Laws": []}'
    assert got["../escape.json"].error == "member path escapes the archive"
    assert "compression ratio" in (got["bomb.json"].error or "")
    small = {m.name: m for m in iter_members(data, "*.json", max_bytes=10, max_ratio=10**9)}
    assert "limit 10" in (small["bomb.json"].error or "")
