"""The data.gov.tw catalogue export (全站資料集匯出) and daily change export (每日異動資料集).

One row per dataset, Chinese column labels, UTF-8 with BOM (served as text/html), and multi-resource cells
joined by `;` (檔案格式 `JSON;CSV` beside 資料下載網址 `url1;url2`) that are split and zipped by position.
The change export has the same columns plus 資料集變動狀態 (新增 / 修改 / 刪除).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from pipeline import licensing
from pipeline.config import CatalogSelect
from pipeline.readers.records import Record
from pipeline.readers.tabular import read_csv
from pipeline.sources.base import first_of, text_of
from pipeline.sources.text_datasets import text_reason

# Our name -> the labels (and v2-style keys) publishers have used for it.
COLUMNS: dict[str, tuple[str, ...]] = {
    "id": ("資料集識別碼", "datasetId", "identifier", "id"),
    "title": ("資料集名稱", "title"),
    "agency": ("提供機關", "publisher", "agency_name"),
    "license": ("授權方式", "license"),
    "category": ("服務分類", "categoryService", "category_name"),
    "description": ("資料集描述", "description"),
    "keywords": ("關鍵字", "keyword"),
    "fields": ("主要欄位說明", "fieldDescription"),
    "formats": ("檔案格式", "resourceFormat"),
    "urls": ("資料下載網址", "resourceDownloadUrl"),
    "encodings": ("編碼格式", "resourceCharacterEncoding"),
    "modified": ("詮釋資料更新時間", "modifiedDate"),
    "change": ("資料集變動狀態",),
}


@dataclass(frozen=True)
class Distribution:
    """One resource as the platform lists it, whichever document listed it (metadata API or catalogue)."""

    format: str
    url: str | None
    encoding: str | None
    modified: str | None = None
    description: str | None = None
    problem: str | None = None


@dataclass(frozen=True)
class CatalogEntry:
    id: str
    title: str | None
    agency: str | None
    license: str | None
    category: str | None
    description: str | None
    keywords: str | None
    modified: str | None
    change: str | None
    resources: list[Distribution] = field(default_factory=list)
    fields: str | None = None


def _get(row: dict[str, Any], name: str) -> str | None:
    value = text_of(first_of(row, *COLUMNS[name]))
    return value.strip() if value and value.strip() else None


def _split(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(";")] if value else []


def _resources(row: dict[str, Any]) -> list[Distribution]:
    formats, urls, encodings = (_split(_get(row, k)) for k in ("formats", "urls", "encodings"))
    out: list[Distribution] = []
    for i in range(max(len(formats), len(urls))):
        fmt = formats[i] if i < len(formats) else ""
        url = urls[i] if i < len(urls) else None
        enc = encodings[i] if i < len(encodings) else None
        problem = None
        if len(formats) != len(urls):
            problem = f"catalogue row lists {len(formats)} formats but {len(urls)} download URLs"
        out.append(Distribution(fmt.lower(), url or None, enc or None, _get(row, "modified"), None, problem))
    return out


def _rows(text: str) -> list[dict[str, Any]]:
    body = text.removeprefix("\ufeff").lstrip()
    if body.startswith(("[", "{")):
        value = json.loads(body)
        if isinstance(value, dict):
            value = value.get("result") or value.get("payload") or value.get("data") or []
        return [v for v in value if isinstance(v, dict)]
    return [r.fields for r in read_csv(body) if isinstance(r, Record)]


def parse_catalog(text: str) -> list[CatalogEntry]:
    """Entries of a catalogue or change export (CSV or JSON); rows without a dataset id are skipped."""
    entries: list[CatalogEntry] = []
    for row in _rows(text):
        dataset_id = _get(row, "id")
        if not dataset_id:
            continue
        entries.append(
            CatalogEntry(
                id=dataset_id,
                title=_get(row, "title"),
                agency=_get(row, "agency"),
                license=_get(row, "license"),
                category=_get(row, "category"),
                description=_get(row, "description"),
                keywords=_get(row, "keywords"),
                modified=_get(row, "modified"),
                change=_get(row, "change"),
                resources=_resources(row),
                fields=_get(row, "fields"),
            )
        )
    return entries


def matches(entry: CatalogEntry, select: CatalogSelect, table: licensing.LicenseTable | None = None) -> bool:
    """All given criteria must hold; within one criterion any listed value will do (licences by canonical id)."""
    if select.ids and entry.id not in select.ids:
        return False
    if select.agencies and (entry.agency or "") not in select.agencies:
        return False
    if select.categories and not any(c in (entry.category or "") for c in select.categories):
        return False
    if select.licenses and (table or licensing.load_table()).canonical(entry.license).id not in select.licenses:
        return False
    if select.keywords:
        haystack = " ".join(x for x in (entry.title, entry.description, entry.keywords) if x)
        if not any(k in haystack for k in select.keywords):
            return False
    if select.formats and not any(r.format in select.formats for r in entry.resources):
        return False
    return not select.text_only or text_reason(entry) is not None


def wanted(resources: list[Distribution], select: CatalogSelect) -> list[Distribution]:
    """The resources of a selected dataset that are read: those of the selected formats, or all."""
    return [r for r in resources if r.format in select.formats] if select.formats else resources


def changed_ids(*exports: list[CatalogEntry]) -> tuple[set[str], set[str]]:
    """(added or modified, deleted) dataset ids of one or more change exports, in date order: a dataset's last
    state wins (deleted on Monday and added again on Tuesday is added)."""
    last: dict[str, str | None] = {}
    for entries in exports:
        last.update((e.id, e.change) for e in entries)
    live = {i for i, change in last.items() if change in ("新增", "修改")}
    deleted = {i for i, change in last.items() if change == "刪除"}
    return live, deleted
