from pipeline.readers.records import BadRecord, Record
from pipeline.readers.tabular import read_csv


def test_bom_crlf_and_quoted_multiline_fields():
    text = '\ufeff標題,內容\r\n一,"第一行\r\n第二行"\r\n二,單行\r\n'
    rows = list(read_csv(text))
    assert [r.locator for r in rows] == ["line:2", "line:4"]
    assert rows[0].fields == {"標題": "一", "內容": "第一行\r\n第二行"}


def test_ragged_rows_are_reported_with_their_line():
    rows = list(read_csv("a,b,c\n1,2,3\n4,5\n6,7,8\n"))
    bad = [r for r in rows if isinstance(r, BadRecord)]
    assert len(rows) == 3 and len(bad) == 1
    assert bad[0].locator == "line:3" and bad[0].reason == "ragged_row" and bad[0].raw == "4,5"


def test_semicolon_delimiter_is_sniffed():
    rows = list(read_csv("名稱;說明\n甲;乙\n丙;丁\n"))
    assert all(isinstance(r, Record) for r in rows)
    assert rows[1].fields == {"名稱": "丙", "說明": "丁"}


def test_blank_lines_are_not_records():
    rows = list(read_csv("a,b\n\n1,2\n\n"))
    assert len(rows) == 1 and rows[0].locator == "line:3"
