"""Word documents (DOCX) -> text through python-docx: paragraphs and table rows (cells split by tabs) in
document order, footnotes after the body; headers, footers and styles left out. The package is checked
(`package.open_package`) before python-docx inflates it."""

from __future__ import annotations

import io
from collections.abc import Iterator

import docx
from docx.opc.exceptions import PackageNotFoundError
from docx.table import Table
from docx.text.paragraph import Paragraph
from lxml import etree

from pipeline.readers.layout import body_text, document_title, row_line
from pipeline.readers.package import PackageError, open_package, read_xml_part
from pipeline.readers.records import BadRecord, Record

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def read_docx(data: bytes) -> Iterator[Record | BadRecord]:
    """One record per document: {"text", "title"}."""
    try:
        zf = open_package(data)
        footnotes = read_xml_part(zf, "word/footnotes.xml")
        document = docx.Document(io.BytesIO(data))
    except PackageError as exc:
        yield BadRecord("$", exc.reason, str(exc))
        return
    except (PackageNotFoundError, KeyError, ValueError) as exc:
        yield BadRecord("$", "unreadable_document", f"not a readable DOCX: {exc}")
        return
    except etree.XMLSyntaxError as exc:  # also an entity bomb, which lxml refuses to expand
        yield BadRecord("$", "unreadable_document", f"not a readable DOCX: its XML: {exc}")
        return
    lines: list[str] = []
    headings: list[str] = []
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            lines.append(block.text)
            style = (block.style.name if block.style is not None else "") or ""
            if block.text.strip() and (style.startswith("Heading") or style == "Title"):
                headings.append(block.text.strip())
        elif isinstance(block, Table):
            lines.extend(_rows(block))
    notes = []
    if footnotes is not None:
        for note in footnotes.iter(f"{{{W}}}footnote"):
            if int(note.get(f"{{{W}}}id", "0")) > 0:  # -1 and 0 are the separator lines
                text = "".join(t.text or "" for t in note.iter(f"{{{W}}}t")).strip()
                if text:
                    notes.append(text)
    text = body_text(lines, notes)
    title = document_title((document.core_properties.title or "").strip() or None, headings, lines)
    yield Record("$", {"text": text, "title": title})


def _rows(table: Table) -> list[str]:
    """A table's rows as lines; a merged cell (repeated by python-docx for each grid column) counts once."""
    out = []
    for row in table.rows:
        cells: list[str] = []
        seen: set[int] = set()
        for cell in row.cells:
            if id(cell._tc) in seen:
                continue
            seen.add(id(cell._tc))
            inner = [p.text for p in cell.paragraphs if p.text.strip()]
            inner += [ln for t in cell.tables for ln in _rows(t)]
            cells.append("\n".join(inner))
        out.append(row_line(cells))
    return out
