"""Documents as agencies publish them -- PDF, ODT, DOCX, ODS, XLSX -- read from real government files, and
hostile ones (encrypted, truncated, zip bombs, entity bombs, page floods, legacy formats) rejected with a
reason, never a crash."""

import io
import time
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter

from pipeline.readers import DOCUMENT_READERS, ReadOptions, read_records
from pipeline.readers.pdf import PdfLimits, _without_running_lines, read_pdf
from pipeline.readers.records import BadRecord, Record
from pipeline.readers.sniff import OLE2_MAGIC, sniff

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data/sample/documents"
SAMPLE_PDF = SAMPLE / "數位發展部公共資料加值應用補助作業要點.pdf"
SAMPLE_ODT = SAMPLE / "交通部公路局國道客運路線調整公告.odt"


def _office(realdata: Path, name: str) -> bytes:
    return (realdata / "external/office_documents" / name).read_bytes()


def _read(data: bytes, options: ReadOptions | None = None) -> list[Record | BadRecord]:
    fmt = sniff(data)
    assert fmt in DOCUMENT_READERS, fmt
    return list(read_records(fmt, data, options))


def _one(data: bytes) -> dict:
    (rec,) = _read(data)
    assert isinstance(rec, Record), rec
    return rec.fields


def test_formats_are_known_by_their_content(realdata):
    expected = {".pdf": "pdf", ".odt": "odt", ".ods": "ods", ".docx": "docx", ".xlsx": "xlsx"}
    for path in sorted((realdata / "external/office_documents").iterdir()):
        if path.suffix in expected:
            assert sniff(path.read_bytes()) == expected[path.suffix], path.name
    assert sniff(b"a,b\n1,2\n") is None and sniff(b"PK\x03\x04 not a package") is None


def test_a_real_gazette_pdf_reads_in_order_without_page_numbers(realdata):
    doc = _one(_office(realdata, "總統府公報第7635號.pdf"))
    text = doc["text"]
    assert doc["title"] == "總統府公報 第 7635 號"
    assert text.index("總統令") < text.index("促進民間參與公共建設法增訂第九條之一")
    assert "茲增訂促進民間參與公共建設法第九條之一" in text
    assert not any(line.strip().isdigit() for line in text.split("\n"))  # the page numbers are gone
    assert "\r" not in text


def test_a_real_pdf_letter_rejoins_its_wrapped_lines(realdata):
    text = _one(_office(realdata, "工程促字第09800114010號函.pdf"))["text"]
    # one sentence that the PDF wraps over lines comes out whole, without spaces between the characters
    assert "係指民間機構依促參法第45條、第46條規定，與主辦機關完成促參案件投資契約之簽訂後" in text


def test_a_scan_without_a_text_layer_is_one_rejected_row(realdata):
    (rec,) = _read(_office(realdata, "台財促字第11225526790號.pdf"))
    assert isinstance(rec, BadRecord) and rec.reason == "no_text_layer" and "OCR" in rec.detail


def test_real_odt_regulations_and_tables(realdata):
    rule = _one(_office(realdata, "促進民間參與公共建設案件履約爭議調解會組織準則.odt"))
    # the template's stale metadata title (財政收支劃分法…對照表) is not the document's
    assert rule["title"] == "促進民間參與公共建設案件履約爭議調解會組織準則"
    assert "調解會置委員九人至三十五人" in rule["text"]
    checklist = _one(_office(realdata, "公共建設促參預評估檢核表.odt"))
    assert checklist["title"] == "附件3、公共建設促參預評估檢核表" and "基地有否環境敏感之虞" in checklist["text"]


def test_real_docx_contract_with_tables(realdata):
    contract = _one(_office(realdata, "附件-08海洋科技業界科專計畫補助契約書.docx"))
    assert contract["title"] == "附件八、海洋科技業界科專計畫補助契約書"
    assert "為鼓勵海洋科技發展，加速海洋科技產業化" in contract["text"]
    checklist = _one(_office(realdata, "附件-06申請人自我檢查表.docx"))
    assert "符合海洋科技業界科專計畫申請資格\t□\t□\t□\t□" in checklist["text"]  # a table row, cell by cell


def test_real_spreadsheets_are_rows_under_their_header(realdata):
    rows = _read(_office(realdata, "活動批次匯入範本.ods"))
    assert [r.locator for r in rows] == ["sheet:活動批次匯入範本!row:2"]
    assert rows[0].fields["*活動名稱"] == "114年度周邊海域活動名稱的文字欄位"
    plan = _read(_office(realdata, "附件-02-2-1預定進度及查核標準-預定進度.xlsx"))
    texts = [v for r in plan if isinstance(r, Record) for v in r.fields.values()]
    assert any("每季至少應有二項查核點" in t for t in texts)
    named = _read(_office(realdata, "附件-02-2-1預定進度及查核標準-預定進度.xlsx"), ReadOptions(sheets=("沒有這頁",)))
    assert [(r.reason, r.locator) for r in named if isinstance(r, BadRecord)] == [("missing_sheet", "sheet:沒有這頁")]


def test_the_sample_pdf_per_page_and_its_running_header():
    pages = list(read_pdf(SAMPLE_PDF.read_bytes(), split="page"))
    assert [r.locator for r in pages] == ["page:1", "page:2"]
    assert all("行政規則彙編" not in r.fields["text"] for r in pages)
    assert pages[1].fields["text"].startswith("附則")


def test_running_lines_go_by_position_not_by_text():
    pages = [f"報告\n{w}之首\n1\n表中\n{w}之末\n{n}".split("\n") for n, w in ((1, "甲"), (2, "乙"), (3, "丙"))]
    kept = _without_running_lines(pages)
    # the running header and the page numbers go; the "1" in a table on the page stays
    assert kept == [[f"{w}之首", "1", "表中", f"{w}之末"] for w in "甲乙丙"]


def test_an_odt_footnote_follows_the_body():
    doc = _one(SAMPLE_ODT.read_bytes())
    body, notes = doc["text"].split("\n\n")
    assert "請旅客留意1。" in body and notes == "1 停靠站位以各業者站牌公告為準。"


# --- hostile documents -----------------------------------------------------------------------------------


def test_an_encrypted_pdf_is_rejected_not_guessed():
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(SAMPLE_PDF.read_bytes())))
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    (rec,) = _read(out.getvalue())
    assert isinstance(rec, BadRecord) and rec.reason == "encrypted"


def test_a_truncated_pdf_and_a_page_flood_are_rejected():
    data = SAMPLE_PDF.read_bytes()
    (cut,) = _read(data[: len(data) * 6 // 10])
    assert isinstance(cut, BadRecord) and cut.reason == "unreadable_document"
    (flood,) = list(read_pdf(data, limits=PdfLimits(max_pages=1)))
    assert isinstance(flood, BadRecord) and flood.reason == "too_many_pages" and "max_pages 1" in flood.detail


def _odt(content: bytes, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.text", compress_type=zipfile.ZIP_STORED)
        zf.writestr("content.xml", content, compress_type=compression)
    return out.getvalue()


def test_a_zip_bomb_document_is_refused_before_it_is_inflated():
    bomb = _odt(b"<a>" + b"0" * 60_000_000 + b"</a>")
    assert len(bomb) < 200_000
    started = time.monotonic()
    (rec,) = _read(bomb)
    assert isinstance(rec, BadRecord) and rec.reason == "unsafe_document" and "compression ratio" in rec.detail
    assert time.monotonic() - started < 30  # refused from the directory, not by inflating 60 MB first


def test_entities_inside_a_document_are_not_expanded():
    laughs = '<!ENTITY l0 "lol">' + "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 8))
    content = (
        f'<?xml version="1.0"?><!DOCTYPE d [{laughs}]>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:text>'
        "<text:p>&l7;正文</text:p></office:text></office:body></office:document-content>"
    ).encode()
    records = _read(_odt(content, zipfile.ZIP_STORED))
    text = records[0].fields["text"] if isinstance(records[0], Record) else ""
    assert text.count("lol") < 100  # 10**7 if the entities were expanded


def test_legacy_binary_office_files_are_named_not_skipped():
    doc = OLE2_MAGIC + b"\x00" * 504 + "WordDocument".encode("utf-16-le") + b"\x00" * 2048
    assert sniff(doc) == "ole2"
    (rec,) = list(read_records("doc", doc))
    assert rec.reason == "unsupported_format" and "DOCX or ODT" in rec.detail
    with pytest.raises(ValueError, match="read from the file's bytes"):
        list(read_records("pdf", "text, not bytes"))
