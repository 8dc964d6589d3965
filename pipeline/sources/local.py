"""Local files and folders: the documented contract for bringing any data in -- JSONL, CSV, JSON, XML, HTML,
PDF, ODF and Office documents."""

from __future__ import annotations

from collections.abc import Iterator

from pipeline.config import LoadedConfig, LocalSource
from pipeline.dates import parse_date
from pipeline.readers import DOCUMENT_READERS, SPREADSHEETS, Content, ReadOptions, read_records
from pipeline.readers.html_text import html_to_text
from pipeline.readers.pdf import PdfLimits
from pipeline.readers.records import BadRecord, Record
from pipeline.sources.base import Draft, NotText, Resource, text_of, text_value
from pipeline.sources.columns import detect_text_fields
from pipeline.sources.files import expand_paths, fetch_location


def discover(cfg: LoadedConfig, index: int, source: LocalSource) -> list[Resource]:
    label = f"sources[{index}]"
    return [
        Resource(
            source_index=index,
            source_kind="local",
            source_name=source.name or "local",
            url=file.name,
            fetch_url=fetch_location(file.path),
            format=source.format,
            encoding_hint=source.encoding,
            dataset=source.dataset,
            modified_at=source.dataset.modified_at,
            options={"members": source.members or f"*.{source.format}"},
        )
        for file in expand_paths(cfg, source.paths, label, source.optional)
    ]


def _field_text(fields: dict, name: str, html_fields: list[str]) -> str:
    value = text_of(fields.get(name)) or ""
    return html_to_text(value) if name in html_fields else value


def _body(fields: dict, names: list[str], html_fields: list[str]) -> str:
    """The text fields joined by blank lines; NotText when one holds something other than text."""
    parts = []
    for name in names:
        value = text_value(fields, name) or ""
        text = (html_to_text(value) if name in html_fields else value).strip()
        if text:
            parts.append(text)
    return "\n\n".join(parts)


def drafts(
    source: LocalSource, resource: Resource, content: Content, limits: PdfLimits | None = None
) -> Iterator[Draft | BadRecord]:
    """The records of one file (its decoded text, or a document's bytes) in the resource's format: the
    source's, or for `auto` and ZIP members the one found for the file."""
    fmt = resource.format
    page_like = fmt == "html" or (fmt in DOCUMENT_READERS and fmt not in SPREADSHEETS)
    title_field = source.title_field or ("title" if page_like else None)
    options = ReadOptions(
        records_path=source.records_path,
        record_tag=source.record_tag,
        sheets=tuple(source.sheets),
        split=source.split,
        pdf_limits=limits or PdfLimits(),
    )
    items = read_records(fmt, content, options)
    text_fields = source.text_fields or ["text"]
    if fmt in SPREADSHEETS and not source.text_fields:  # columns of Chinese text, as for data.gov.tw tables
        items = list(items)
        text_fields = detect_text_fields([r for r in items if isinstance(r, Record)]) or ["text"]
    for rec in items:
        if isinstance(rec, BadRecord):
            yield rec
            continue
        missing = [f for f in text_fields if f not in rec.fields]
        if len(missing) == len(text_fields):
            yield BadRecord(
                rec.locator, "missing_text_field", f"no field {', '.join(map(repr, missing))}", raw=text_of(rec.fields)
            )
            continue
        try:
            body = _body(rec.fields, text_fields, source.html_fields)
        except NotText as exc:
            yield BadRecord(rec.locator, "text_not_a_string", str(exc), raw=text_of(rec.fields))
            continue
        yield Draft(
            locator=rec.locator,
            text=body,
            title=_field_text(rec.fields, title_field, source.html_fields).strip() or None if title_field else None,
            source_record_id=text_of(rec.fields.get(source.id_field)) if source.id_field else None,
            agency=(text_of(rec.fields.get(source.agency_field)) or "").strip() or None
            if source.agency_field
            else None,
            modified_at=parse_date(text_of(rec.fields.get(source.date_field))) if source.date_field else None,
        )
