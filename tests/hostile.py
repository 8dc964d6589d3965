"""Hostile and broken input files, written in the formats a `local` source reads, with the records each one
should publish. The good records are distinct sentences so each can be found in the shards afterwards."""

from __future__ import annotations

import io
import json
import os
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

BIG_FIELD_MB = 100


def good(n: int) -> str:
    """A distinct, publishable sentence (long enough for the quality filters, unlike any other)."""
    subjects = "交通部公路局經濟部水利署內政部消防署衛生福利部教育部環境部文化部勞動部農業部法務部"
    s = subjects[(n * 5) % len(subjects) : (n * 5) % len(subjects) + 5]
    return f"第{n}號公告：{s}依據相關法規辦理第{n}次年度業務檢討，相關資料已公開於機關網站，歡迎民眾查閱並提供意見。"


@dataclass
class Hostile:
    """The files written and the good texts among them (which must all be published)."""

    root: Path
    good_texts: list[str] = field(default_factory=list)
    bad_files: list[str] = field(default_factory=list)  # files with nothing good in them

    def write(self, rel: str, data: bytes | str, *goods: str) -> None:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        self.good_texts.extend(goods)
        if not goods:
            self.bad_files.append(rel)


def _zip(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


def _jsonl(*texts: str) -> str:
    return "".join(json.dumps({"text": t}, ensure_ascii=False) + "\n" for t in texts)


def write_hostile(root: Path, big_field: bool = True) -> Hostile:
    """Write the hostile set under root/{csv,jsonl,json,xml,html,zip,docs}/."""
    h = Hostile(root)
    n = iter(range(1, 10_000))

    # CSV: unbalanced quotes, ragged rows, NUL bytes, mixed encodings, binary with a .csv name, empty
    a, b = good(next(n)), good(next(n))
    h.write("csv/ragged.csv", f"id,text\r\n1,{a}\r\n2,{b},extra,cells\r\n3\r\n", a)
    c = good(next(n))
    h.write("csv/unbalanced.csv", f'id,text\n1,{c}\n2,"never closed {good(9001)}\n3,more\n', c)
    d = good(next(n))
    h.write("csv/nul.csv", f"id,text\n1,{d}\n2,bad\x00byte here {good(9002)}\n".encode(), d)
    e, e2 = good(next(n)), good(next(n))  # each line strict UTF-8 or strict CP950: both lines are read
    mixed = f"id,text\n1,{e}\n".encode() + f"2,{e2}\n".encode("cp950")
    h.write("csv/mixed_encodings.csv", mixed, e, e2)
    big = good(next(n))
    h.write("csv/huge_cell.csv", f"id,text\n1,{'大' * 3_000_000}\n2,{big}\n", big)
    h.write("csv/binary.csv", bytes(range(256)) * 64)
    h.write("csv/png.csv", b"\x89PNG\r\n\x1a\n" + bytes(2000))
    h.write("csv/empty.csv", b"")

    # JSON / JSONL: invalid, truncated, lone surrogates, deep nesting, a 100 MB field
    f, g = good(next(n)), good(next(n))
    h.write("jsonl/some_bad_lines.jsonl", _jsonl(f) + "{not json}\n" + '{"text": "\\ud800 lone"}\n' + _jsonl(g), f, g)
    h.write("jsonl/binary.jsonl", bytes(range(256)) * 16)
    odd = good(next(n))  # a file name whose bytes are not UTF-8, and one with spaces and CJK: both are read
    h.write("jsonl/" + os.fsdecode(b"name-\xff\xfe.jsonl"), _jsonl(odd), odd)
    spaced = good(next(n))
    h.write("jsonl/名稱 有空格.jsonl", _jsonl(spaced), spaced)
    h.write("jsonl/empty.jsonl", b"")
    h.write("jsonl/deep.jsonl", "[" * 100_000 + "]" * 100_000 + "\n")
    if big_field:
        k = good(next(n))
        huge = json.dumps({"text": "長" * (BIG_FIELD_MB * 1024 * 1024 // 3)}, ensure_ascii=False)
        h.write("jsonl/huge_field.jsonl", _jsonl(k) + huge + "\n", k)
    h.write("json/invalid.json", '{"records": [{"text": "unterminated')
    h.write("json/truncated.json", json.dumps([{"text": good(9004)}], ensure_ascii=False)[:-7])
    m = good(next(n))
    h.write("json/surrogates.json", '[{"text": "\\udfff\\ud800"}, {"text": "' + m + '"}]', m)

    # XML: external entities, DTDs, billion laughs
    xxe = (
        '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r><rec><text>&x;</text></rec></r>'
    )
    h.write("xml/xxe.xml", xxe)
    laughs = '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i > 1 else "&lol;" * 10}">' for i in range(1, 10)
    )
    h.write("xml/billion_laughs.xml", laughs + "]><r><rec><text>&lol9;</text></rec></r>")
    h.write("xml/remote_dtd.xml", '<?xml version="1.0"?><!DOCTYPE r SYSTEM "http://127.0.0.1:9/x.dtd"><r/>')
    p = good(next(n))
    h.write("xml/fine.xml", f'<?xml version="1.0" encoding="UTF-8"?><r><rec><text>{p}</text></rec></r>', p)
    h.write("xml/truncated.xml", f"<r><rec><text>{good(9005)}</text></rec><rec><te")

    # HTML: scripts and styles are not text
    q = good(next(n))
    html = f"<html><head><title>t</title><script>alert('{good(9006)}')</script></head><body><p>{q}</p></body></html>"
    h.write("html/page.html", html, q)

    # ZIP: traversal, absolute members, a bomb, nesting, truncation; one good member beside them
    r = good(next(n))
    escape = {"../../escape.jsonl": _jsonl(good(9007)).encode(), "/abs.jsonl": b"{}\n"}
    h.write("zip/traversal.zip", _zip({**escape, "ok.jsonl": _jsonl(r).encode()}), r)
    h.write("zip/bomb.zip", _zip({"bomb.jsonl": b"\n" * (300 * 1024 * 1024)}))
    h.write("zip/nested.zip", _zip({"inner.zip": _zip({"deep.jsonl": _jsonl(good(9008)).encode()})}))
    s = good(next(n))  # one damaged member (its compressed bytes overwritten) beside a sound one
    damaged = bytearray(_zip({"bad.jsonl": _jsonl(good(9010)).encode() * 20, "fine.jsonl": _jsonl(s).encode()}))
    start = damaged.index(b"bad.jsonl") + len("bad.jsonl")
    damaged[start + 10 : start + 60] = b"\xff" * 50
    h.write("zip/damaged_member.zip", bytes(damaged), s)
    whole = _zip({"a.jsonl": _jsonl(good(9009)).encode()})
    h.write("zip/truncated.zip", whole[: len(whole) // 2])
    write_hostile_documents(h, n)
    return h


def _pdf(pages: list[str], catalog_extra: bytes = b"", xref_shift: int = 0) -> bytes:
    """A PDF written by hand: one Helvetica line a page ("" for a page without text). `catalog_extra` goes
    into the document catalogue (e.g. an /OpenAction); `xref_shift` misplaces every cross-reference offset."""
    kids = " ".join(f"{4 + 2 * i} 0 R" for i in range(len(pages)))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R " + catalog_extra + b" >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>".encode(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    for i, line in enumerate(pages):
        stream = f"BT /F1 11 Tf 40 760 Td ({line}) Tj ET".encode() if line else b""
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> "
            f"/Contents {5 + 2 * i} 0 R >>".encode()
        )
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for k, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % k + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % (o + xref_shift) for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref + xref_shift)
    return bytes(out)


def _encrypted(pdf: bytes) -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


_LAUGHS = '<!ENTITY l0 "lol">' + "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 9))
_ODF_TEXT = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
)


def _odt(paragraphs: str, doctype: str = "") -> bytes:
    content = (
        f'<?xml version="1.0"?>{doctype}<office:document-content {_ODF_TEXT}><office:body><office:text>'
        f"{paragraphs}</office:text></office:body></office:document-content>"
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.text", compress_type=zipfile.ZIP_STORED)
        z.writestr("content.xml", content.encode(), compress_type=zipfile.ZIP_DEFLATED)
    return buf.getvalue()


def _docx(paragraph: str, doctype: str = "", body: bytes | None = None) -> bytes:
    """A DOCX python-docx writes, its document.xml given a DOCTYPE or its paragraph replaced by `body`."""
    import docx

    made = io.BytesIO()
    document = docx.Document()
    document.add_paragraph(paragraph)
    document.save(made)
    source = zipfile.ZipFile(made)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name in source.namelist():
            data = source.read(name)
            if name == "word/document.xml":
                end = data.index(b"?>") + 2
                data = data[:end] + doctype.encode() + data[end:]
                if body is not None:
                    data = data.replace(paragraph.encode(), body)
            z.writestr(name, data)
    return buf.getvalue()


def write_hostile_documents(h: Hostile, n: Iterator[int]) -> None:
    """PDF, ODT and DOCX under docs/ (read with `format: auto`): bombs, entities, page floods, broken
    cross-references, JavaScript, encryption, no text layer; one good document of each kind beside them."""
    js_text = (
        "Notice on intercity buses: the Highway Bureau adjusts route 1815 from next month, and passengers "
        "should check the timetable posted on the agency website before travelling."
    )
    xref_text = (
        "Reminder from the Water Resources Agency: reservoir levels are low this spring, so households are "
        "asked to save water and report leaking pipes to their local water company."
    )
    run = "/OpenAction << /S /JavaScript /JS (app.alert\\('x'\\);) >> /AA << /WC << /S /JavaScript /JS (1;) >> >>"
    h.write("docs/javascript.pdf", _pdf([js_text], run.encode()), js_text)  # read; the script is never run
    h.write("docs/broken_xref.pdf", _pdf([xref_text], xref_shift=7), xref_text)  # offsets rebuilt by the reader
    h.write("docs/page_flood.pdf", _pdf([""] * 2_500))  # more pages than max_pages
    h.write("docs/scan.pdf", _pdf(["", ""]))  # no text layer
    h.write("docs/truncated.pdf", _pdf([good(9011)])[:300])
    h.write("docs/encrypted.pdf", _encrypted(_pdf([good(9012)])))
    odt_good, docx_good = good(next(n)), good(next(n))
    h.write("docs/good.odt", _odt(f"<text:p>{odt_good}</text:p>"), odt_good)
    h.write("docs/good.docx", _docx(docx_good), docx_good)
    h.write("docs/bomb.odt", _odt("<text:p>" + "0" * 80_000_000 + "</text:p>"))
    h.write("docs/bomb.docx", _docx(good(9013), body=b"0" * 80_000_000))
    h.write("docs/entities.odt", _odt(f"<text:p>{good(9014)}&l8;</text:p>", f"<!DOCTYPE d [{_LAUGHS}]>"))
    bomb_text = good(9015)
    h.write("docs/entities.docx", _docx(bomb_text, f"<!DOCTYPE w:document [{_LAUGHS}]>", (bomb_text + "&l8;").encode()))
    h.write("docs/not_a_package.docx", b"PK\x03\x04" + bytes(range(256)) * 8)


def hostile_config(h: Hostile, out: Path) -> dict:
    """A config reading every hostile file through `local` sources, one per format."""

    def source(fmt: str, pattern: str, **kw: object) -> dict:
        return {
            "kind": "local",
            "name": f"hostile {fmt}",
            "paths": [str(h.root / pattern)],
            "format": fmt,
            "dataset": {"id": f"hostile-{pattern.split('/')[0]}", "agency": "測試機關", "license": "OGDL-Taiwan-1.0"},
            "text_field": "text",
            **kw,
        }

    return {
        "output_dir": str(out / "corpus"),
        "data_dir": str(out / "data"),
        "tokens": {"tokenizer": None},
        "sources": [
            source("csv", "csv/*.csv"),
            source("jsonl", "jsonl/*.jsonl"),
            source("json", "json/*.json"),
            source("xml", "xml/*.xml", record_tag="rec"),
            source("html", "html/*.html"),
            source("jsonl", "zip/*.zip"),
            source("auto", "docs/*"),
        ],
    }
