"""OpenDocument text and presentations (ODT, ODP: the government's standard document format) -> text:
headings, paragraphs, list items and table rows (cells split by tabs) in document order, footnotes after the
body; styles, annotations and page furniture left out. Numbers a list style draws (一、 (一)) are not in the
text and are not made up."""

from __future__ import annotations

from collections.abc import Iterator

from lxml import etree

from pipeline.readers.layout import body_text, document_title, row_line
from pipeline.readers.package import PackageError, open_package, read_xml_part
from pipeline.readers.records import BadRecord, Record

TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
DRAW = "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"
OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
DC = "http://purl.org/dc/elements/1.1/"
_BLOCKS = {f"{{{TEXT}}}p", f"{{{TEXT}}}h"}
_SKIP = {f"{{{OFFICE}}}annotation", f"{{{TEXT}}}tracked-changes", f"{{{TEXT}}}sequence-decls"}


def read_odf(data: bytes) -> Iterator[Record | BadRecord]:
    """One record per document: {"text", "title"} (title: the document's own, else its first heading)."""
    try:
        zf = open_package(data)
        content = read_xml_part(zf, "content.xml")
        meta = read_xml_part(zf, "meta.xml")
    except PackageError as exc:
        yield BadRecord("$", exc.reason, str(exc))
        return
    if content is None:
        yield BadRecord("$", "unreadable_document", "no content.xml: not an OpenDocument file")
        return
    body = content.find(f"{{{OFFICE}}}body")
    if body is None:
        yield BadRecord("$", "unreadable_document", "content.xml has no office:body")
        return
    lines: list[str] = []
    notes: list[str] = []
    headings: list[str] = []
    _blocks(body, lines, notes, headings)
    text = body_text(lines, notes)
    title = document_title(_meta_title(meta), headings, lines)
    yield Record("$", {"text": text, "title": title})


def _meta_title(meta: etree._Element | None) -> str | None:
    found = meta.find(f".//{{{DC}}}title") if meta is not None else None
    return (found.text or "").strip() or None if found is not None else None


def _blocks(node: etree._Element, lines: list[str], notes: list[str], headings: list[str]) -> None:
    """Walk the body: a paragraph or heading is a line, a table row is a line of cells; frames, lists and
    sections are walked into."""
    for child in node:
        tag = child.tag
        if not isinstance(tag, str) or tag in _SKIP:
            continue
        if tag in _BLOCKS:
            line = _inline(child, notes).strip()
            lines.append(line)
            if tag == f"{{{TEXT}}}h" and line:
                headings.append(line)
        elif tag == f"{{{TABLE}}}table-row":
            cells = []
            for cell in child:
                if cell.tag == f"{{{TABLE}}}table-cell":
                    inner: list[str] = []
                    _blocks(cell, inner, notes, headings)
                    cells.append("\n".join(x for x in inner if x.strip()))
            lines.append(row_line(cells))
        else:
            _blocks(child, lines, notes, headings)


def _inline(node: etree._Element, notes: list[str]) -> str:
    """A paragraph's text: spans and links as their text, text:s as spaces, tabs and line breaks kept, a
    footnote's body moved to `notes` (its citation mark stays)."""
    parts = [node.text or ""]
    for child in node:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag == f"{{{TEXT}}}s":
            parts.append(" " * int(child.get(f"{{{TEXT}}}c", "1")))
        elif tag == f"{{{TEXT}}}tab":
            parts.append("\t")
        elif tag == f"{{{TEXT}}}line-break":
            parts.append("\n")
        elif tag == f"{{{TEXT}}}note":
            citation = child.find(f"{{{TEXT}}}note-citation")
            mark = (citation.text or "") if citation is not None else ""
            parts.append(mark)
            body = child.find(f"{{{TEXT}}}note-body")
            if body is not None:
                inner: list[str] = []
                _blocks(body, inner, notes, [])
                notes.append(f"{mark} " + " ".join(x for x in inner if x.strip()))
        elif tag in _SKIP or tag.startswith(f"{{{DRAW}}}"):
            if tag.startswith(f"{{{DRAW}}}"):  # a text box inside the paragraph
                inner = []
                _blocks(child, inner, notes, [])
                parts.append(" ".join(x for x in inner if x.strip()))
        else:
            parts.append(_inline(child, notes))
        parts.append(child.tail or "")
    return "".join(parts)
