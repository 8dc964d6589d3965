"""Text -> records, one module per format, found through one registry (READERS) by every source and by ZIP
members alike. Readers never guess silently: what they cannot read becomes a rejection with a reason.

A reader takes the decoded text and the options of its source (`records_path` for JSON, `record_tag` for XML)
and yields Records and BadRecords. Adding a format is its module, one entry here and its test.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from pipeline.readers.html_text import read_page
from pipeline.readers.jsonish import read_json, read_jsonl
from pipeline.readers.records import BadRecord, Record
from pipeline.readers.tabular import read_csv
from pipeline.readers.xml_reader import read_xml


@dataclass(frozen=True)
class ReadOptions:
    records_path: str | None = None  # json: dotted key of the record list
    record_tag: str | None = None  # xml: the element of one record


Reader = Callable[[str, ReadOptions], Iterator[Record | BadRecord]]


def _html(text: str, options: ReadOptions) -> Iterator[Record | BadRecord]:
    """One record per page: its visible text and title, or why the page is not a document."""
    page = read_page(text)
    if page.not_content:
        yield BadRecord("$", "not_content", f"not a document: {page.not_content}", raw=page.text[:10_000])
        return
    yield Record("$", {"text": page.text, "title": page.title})


READERS: dict[str, Reader] = {
    "jsonl": lambda text, options: read_jsonl(text),
    "csv": lambda text, options: read_csv(text),
    "json": lambda text, options: read_json(text, options.records_path),
    "xml": lambda text, options: read_xml(text, options.record_tag),
    "html": _html,
}


# A file's extension -> the reader for it (ZIP members of a resource whose format is `zip`).
FORMAT_OF_EXTENSION = {"csv": "csv", "json": "json", "jsonl": "jsonl", "xml": "xml", "html": "html", "htm": "html"}


def read_records(fmt: str, text: str, options: ReadOptions | None = None) -> Iterator[Record | BadRecord]:
    """The records of a decoded text in format `fmt`; ValueError for a format no reader is registered for."""
    reader = READERS.get(fmt)
    if reader is None:
        raise ValueError(f"unsupported format {fmt!r} (read: {', '.join(sorted(READERS))})")
    return reader(text, options or ReadOptions())
