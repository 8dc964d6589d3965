"""Text and documents -> records, one module per format, found through one registry by every source and by
ZIP members alike. Readers never guess silently: what they cannot read becomes a rejection with a reason.

A text reader (READERS) takes the decoded text, a document reader (DOCUMENT_READERS: PDF, ODF, Office) the
file's bytes; both take the options of their source (`records_path` for JSON, `record_tag` for XML, `sheets`
for spreadsheets, `split` for PDF) and yield Records and BadRecords. Adding a format is its module, one
entry here and its test.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO

from pipeline.readers.docx_reader import read_docx
from pipeline.readers.html_text import read_page
from pipeline.readers.jsonish import read_json, read_jsonl
from pipeline.readers.odf import read_odf
from pipeline.readers.pdf import PdfLimits, read_pdf
from pipeline.readers.records import BadRecord, Record
from pipeline.readers.spreadsheet import read_spreadsheet
from pipeline.readers.tabular import read_csv
from pipeline.readers.xml_reader import read_xml


@dataclass(frozen=True)
class ReadOptions:
    records_path: str | None = None  # json: dotted key of the record list
    record_tag: str | None = None  # xml: the element of one record
    sheets: tuple[str, ...] = ()  # spreadsheets: the sheets to read (empty: all)
    split: str = "file"  # pdf: one record per file, or per page
    pdf_limits: PdfLimits = field(default_factory=PdfLimits)


Reader = Callable[[str | IO[str], ReadOptions], Iterator[Record | BadRecord]]
Content = str | bytes | IO[str]  # a decoded text, a document's bytes, or the text stream of a STREAMED format
DocumentReader = Callable[[bytes, ReadOptions], Iterator[Record | BadRecord]]


def _html(text: str, options: ReadOptions) -> Iterator[Record | BadRecord]:
    """One record per page: its visible text and title, or why the page is not a document."""
    page = read_page(text)
    if page.not_content:
        yield BadRecord("$", "not_content", f"not a document: {page.not_content}", raw=page.text[:10_000])
        return
    yield Record("$", {"text": page.text, "title": page.title})


STREAMED = frozenset({"jsonl", "csv"})  # formats read a line at a time from the file, never decoded whole
READERS: dict[str, Reader] = {
    "jsonl": lambda text, options: read_jsonl(text),
    "csv": lambda text, options: read_csv(text),
    "json": lambda text, options: read_json(text, options.records_path),
    "xml": lambda text, options: read_xml(text, options.record_tag),
    "html": _html,
}


def _unsupported(name: str) -> DocumentReader:
    def reader(data: bytes, options: ReadOptions) -> Iterator[Record | BadRecord]:
        yield BadRecord("$", "unsupported_format", f"{name} is not read; convert it to {_CONVERT_TO[name]}")

    return reader


_CONVERT_TO = {"legacy Word (.doc)": "DOCX or ODT", "PowerPoint": "ODP or PDF", "an OLE2 file": "ODF or PDF"}

DOCUMENT_READERS: dict[str, DocumentReader] = {
    "pdf": lambda data, options: read_pdf(data, options.split, options.pdf_limits),
    "odt": lambda data, options: read_odf(data),
    "odp": lambda data, options: read_odf(data),
    "docx": lambda data, options: read_docx(data),
    "ods": lambda data, options: read_spreadsheet(data, list(options.sheets) or None),
    "xlsx": lambda data, options: read_spreadsheet(data, list(options.sheets) or None),
    "xls": lambda data, options: read_spreadsheet(data, list(options.sheets) or None),
    "doc": _unsupported("legacy Word (.doc)"),
    "ppt": _unsupported("PowerPoint"),
    "pptx": _unsupported("PowerPoint"),
    "ole2": _unsupported("an OLE2 file"),
}
SPREADSHEETS = {"ods", "xlsx", "xls"}

# A file's extension -> the reader for it (ZIP members of a resource whose format is `zip`, `format: auto`).
FORMAT_OF_EXTENSION = {
    "csv": "csv",
    "json": "json",
    "jsonl": "jsonl",
    "xml": "xml",
    "html": "html",
    "htm": "html",
    **{fmt: fmt for fmt in DOCUMENT_READERS if fmt != "ole2"},
}


def read_records(fmt: str, content: Content, options: ReadOptions | None = None) -> Iterator[Record | BadRecord]:
    """The records of a decoded text (or of a document's bytes) in format `fmt`; ValueError for a format no
    reader is registered for."""
    options = options or ReadOptions()
    if fmt in DOCUMENT_READERS:
        if isinstance(content, str):
            raise ValueError(f"format {fmt!r} is read from the file's bytes, not decoded text")
        return DOCUMENT_READERS[fmt](content, options)
    reader = READERS.get(fmt)
    if reader is None:
        known = ", ".join(sorted({*READERS, *DOCUMENT_READERS}))
        raise ValueError(f"unsupported format {fmt!r} (read: {known})")
    if isinstance(content, bytes):
        raise ValueError(f"format {fmt!r} is read from decoded text")
    return reader(content, options)
