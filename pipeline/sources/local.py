"""Local files and folders: the documented contract for bringing any JSONL, CSV or JSON data in."""

from __future__ import annotations

from collections.abc import Iterator

from pipeline.config import LoadedConfig, LocalSource
from pipeline.readers.jsonish import read_json, read_jsonl
from pipeline.readers.records import BadRecord, Record
from pipeline.readers.tabular import read_csv
from pipeline.sources.base import Draft, Resource, display_path, expand_paths, text_of


def discover(cfg: LoadedConfig, index: int, source: LocalSource) -> list[Resource]:
    label = f"sources[{index}]"
    return [
        Resource(
            source_index=index,
            source_kind="local",
            source_name=source.name or "local",
            url=display_path(cfg, path),
            fetch_url=str(path),
            format=source.format,
            encoding_hint=source.encoding,
            dataset=source.dataset,
            modified_at=source.dataset.modified_at,
        )
        for path in expand_paths(cfg, source.paths, label)
    ]


def read_records(fmt: str, text: str, records_path: str | None = None) -> Iterator[Record | BadRecord]:
    if fmt == "jsonl":
        return read_jsonl(text)
    if fmt == "csv":
        return read_csv(text)
    if fmt == "json":
        return read_json(text, records_path)
    raise ValueError(f"unsupported format {fmt!r}")


def drafts(source: LocalSource, resource: Resource, text: str) -> Iterator[Draft | BadRecord]:
    for rec in read_records(source.format, text, source.records_path):
        if isinstance(rec, BadRecord):
            yield rec
            continue
        body = rec.fields.get(source.text_field)
        if body is None:
            yield BadRecord(
                rec.locator, "missing_text_field", f"no field {source.text_field!r}", raw=text_of(rec.fields)
            )
            continue
        yield Draft(
            locator=rec.locator,
            text=text_of(body) or "",
            title=text_of(rec.fields.get(source.title_field)) if source.title_field else None,
            source_record_id=text_of(rec.fields.get(source.id_field)) if source.id_field else None,
        )
