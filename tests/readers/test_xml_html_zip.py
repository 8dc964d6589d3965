import io
import zipfile

import pytest

from pipeline.readers.archive import iter_members
from pipeline.readers.html_text import html_title, html_to_text, read_page
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
    # the CRLF inside the paragraph is source layout: a browser shows none between two CJK characters
    assert text == "內政部令\n中華民國94年6月21日\n\n修正「規定」第十九點，並自即日生效。"


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


def test_html_whitespace_collapses_as_a_browser_shows_it():
    fragment = """<td>
        <b>主
        任 委 員</b>　<span>SHEN
            MARILYN</span> (沈<b>  </b>呂巡)</td><p>第二十條&nbsp;&nbsp;&nbsp;本辦法<span> 自</span>
        發布日施行。</p><pre>一
  二</pre>"""
    assert html_to_text(fragment) == "主任委員 SHEN MARILYN (沈呂巡)\n\n第二十條 本辦法自發布日施行。\n\n一\n二"


def test_navigation_links_and_site_chrome_are_left_out():
    page = """<html><body><div id="header"><a href="/">回首頁</a></div><ul class="breadcrumb"><li>首頁</li></ul>
    <div class="content"><h2>公告</h2><p>本部公告事項如下。<a href="x.pdf">附件一</a></p></div>
    <div class="top"><a href="#">Top</a></div><p><a href="javascript:print()">列印</a> <a href="#">回上頁</a></p>
    <footer>地址：臺北市 電話：(02)1234-5678</footer></body></html>"""
    assert html_to_text(page) == "公告\n\n本部公告事項如下。附件一"


def test_real_gazette_notices_end_with_their_text_not_with_a_top_link(realdata):
    """Every record of the Executive Yuan Gazette ends its HTML with a "Top" link: none survives. Line breaks and
    indentation in the HTML source are layout: a one-character line is left only where a table cell holds one
    character (with source line breaks kept, 6 of these 108 records had one, e.g. 主 / 任 委 員)."""
    from lxml import html

    texts, lone = [], []
    for path in sorted((realdata / "external/ey_gazette_2014_05").rglob("*.xml")):
        for rec in read_xml(path.read_text(encoding="utf-8"), "Record"):
            markup = rec.fields["HTMLContent"]
            text = html_to_text(markup)
            texts.append(text)
            cells = {" ".join(c.text_content().split()) for c in html.fromstring(markup).iter("td", "th")}
            single = {line for line in text.splitlines() if len(line) == 1 and "\u4e00" <= line <= "\u9fff"}
            lone += [(rec.fields["MetaId"], line) for line in single - cells]
    assert len(texts) == 108
    assert not [t[-30:] for t in texts if t.rstrip().endswith("Top")]
    assert not lone
    assert "主任委員" in "".join(texts) and "主\n任" not in "".join(texts)


def test_directory_listings_are_not_content_and_law_pages_are(realdata):
    folder = realdata / "external/ly_lawstat_more/version2"
    listings = sorted(folder.glob("*/index.html"))
    pages = sorted(p for p in folder.glob("*/*.html") if p.name != "index.html")
    assert len(listings) == 40 and len(pages) == 153
    for path in listings:
        page = read_page(path.read_bytes().decode("latin-1"))
        assert page.not_content and "directory listing" in page.not_content, path
    for path in pages:
        page = read_page(path.read_bytes().decode("cp950"))
        assert page.not_content is None and "中華民國" in page.text, path


def test_server_error_pages_are_not_content():
    assert "server error page" in read_page("<html><title>404 Not Found</title><h1>Not Found</h1></html>").not_content
    assert read_page("<title>找不到網頁</title><p>您要找的網頁不存在。</p>").not_content
    long_notice = "<title>錯誤訊息更正公告</title>" + "<p>本府更正先前公告之錯誤內容如下。</p>" * 40
    assert read_page(long_notice).not_content is None  # a notice about an error is content
