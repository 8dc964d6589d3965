"""data.gov.tw (政府資料開放平臺): dataset metadata from the API, then each resource in a readable format.

Metadata is read defensively: v2 and v1 key names, numbers as strings, `"Not found"` bodies. Contact
fields (names, phones, e-mails) are never read into documents. The declared encoding is only a hint.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Iterator
from typing import Any

from pipeline.config import DataGovTwSource, DatasetInfo, LoadedConfig
from pipeline.fetch import Fetcher, FetchError, is_remote, rewrite_url
from pipeline.readers import FORMAT_OF_EXTENSION, Content, ReadOptions, read_records
from pipeline.readers.encoding import DecodeFailure, decode_bytes
from pipeline.readers.pdf import PdfLimits
from pipeline.readers.records import BadRecord, Record
from pipeline.sources.base import Draft, NotText, Resource, first_of, text_of, text_value
from pipeline.sources.columns import detect_text_fields, is_title_column
from pipeline.sources.datagovtw_catalog import (
    CatalogEntry,
    Distribution,
    changed_ids,
    matches,
    parse_catalog,
    wanted,
)
from pipeline.sources.text_datasets import text_reason

log = logging.getLogger(__name__)

# Declared format -> reader. A ZIP's members are read by their own extensions.
READABLE_FORMATS = {
    **FORMAT_OF_EXTENSION,
    "zip": "zip",
    "odf": "odt",
    "word": "docx",
    "excel": "xlsx",
}  # a distribution's declared format -> how it is read


class MetadataError(ValueError):
    """A dataset whose metadata cannot be used; the message says what the platform returned."""


def metadata_url(base_url: str, dataset_id: str, api: str = "v2") -> str:
    return f"{base_url.rstrip('/')}/api/{api}/rest/dataset/{dataset_id}"


def parse_metadata(body: bytes, dataset_id: str) -> dict[str, Any]:
    text = body.decode("utf-8-sig", errors="replace").strip()
    if text.strip('"').lower() == "not found":
        raise MetadataError(f"dataset {dataset_id}: the platform answered 'Not found'")
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise MetadataError(f"dataset {dataset_id}: metadata is not JSON ({exc.msg})") from exc
    if isinstance(value, dict) and value.get("success") is False:
        raise MetadataError(f"dataset {dataset_id}: the platform reported failure: {value.get('error')!r}")
    result = value.get("result") if isinstance(value, dict) else None
    if not isinstance(result, dict):
        raise MetadataError(f"dataset {dataset_id}: no 'result' object in the metadata")
    return result


def dataset_info(result: dict[str, Any], dataset_id: str) -> DatasetInfo:
    oid = str(first_of(result, "publisherOID") or "")
    oid_code, _, oid_name = oid.partition("|")
    return DatasetInfo(
        id=dataset_id,
        title=text_of(first_of(result, "title")),
        agency=text_of(first_of(result, "publisher", "agency", "dataProvider")) or oid_name or None,
        agency_id=text_of(first_of(result, "publisherOrgCode")) or oid_code or None,
        license=text_of(first_of(result, "license")),
        license_url=text_of(first_of(result, "licenseURL", "licenseUrl")),
        modified_at=text_of(first_of(result, "modifiedDate", "modified")),
    )


def entry_from_metadata(result: dict[str, Any], dataset_id: str) -> CatalogEntry:
    """A metadata API answer as a catalogue row, so that one `select` judges both."""
    info = dataset_info(result, dataset_id)
    fields = text_of(first_of(result, "fieldDescription"))
    if not fields:  # v2: each distribution lists its columns
        names = [
            text_of(f.get("name"))
            for d in result.get("distribution") or []
            if isinstance(d, dict)
            for f in d.get("resourceField") or []
            if isinstance(f, dict)
        ]
        fields = "、".join(n for n in names if n) or None
    keywords = result.get("keyword")
    return CatalogEntry(
        id=dataset_id,
        title=info.title,
        agency=info.agency,
        license=info.license,
        category=text_of(first_of(result, "categoryService", "categoryCode")),
        description=text_of(result.get("description")),
        keywords="、".join(map(str, keywords)) if isinstance(keywords, list) else text_of(keywords),
        modified=info.modified_at,
        change=None,
        resources=_api_distributions(result),
        fields=fields,
    )


def _resource_url(dist: dict[str, Any]) -> str | None:
    return text_of(first_of(dist, "resourceDownloadUrl", "downloadURL", "resourceDownloadURL"))


def _api_distributions(result: dict[str, Any]) -> list[Distribution]:
    out: list[Distribution] = []
    for dist in result.get("distribution") or []:
        if isinstance(dist, dict):
            out.append(
                Distribution(
                    format=str(first_of(dist, "resourceFormat", "format") or "").strip().lower(),
                    url=_resource_url(dist),
                    encoding=text_of(first_of(dist, "resourceCharacterEncoding", "characterSetCode")),
                    modified=text_of(first_of(dist, "resourceModifiedDate", "resourceModified")),
                    description=text_of(dist.get("resourceDescription")),
                )
            )
    return out


class _Discovery:
    """Builds the Resources of one datagovtw source: API datasets, catalogue datasets, their resources."""

    def __init__(
        self,
        cfg: LoadedConfig,
        index: int,
        source: DataGovTwSource,
        fetcher: Fetcher,
        change_urls: list[str] | None = None,
        known_changes: tuple[set[str], set[str]] | None = None,
    ) -> None:
        self.cfg, self.index, self.source, self.fetcher = cfg, index, source, fetcher
        self.change_urls = change_urls if change_urls is not None else ([source.changes] if source.changes else [])
        self.known_changes = known_changes
        self.resources: list[Resource] = []

    def resource(self, url: str, fmt: str, info: DatasetInfo, **kw: Any) -> Resource:
        return Resource(
            source_index=self.index,
            source_kind="datagovtw",
            source_name=self.source.name or "datagovtw",
            url=url,
            fetch_url=kw.pop("fetch_url", None) or self.rewrite(url),
            format=fmt,
            dataset=info,
            **kw,
        )

    def unavailable(self, url: str, info: DatasetInfo, why: str) -> None:
        self.resources.append(self.resource(url, "unavailable", info, fetch_url=url, options={"error": why}))

    def rewrite(self, url: str) -> str:
        return rewrite_url(url, self.source.url_map, self.cfg.base_dir)

    def read(self, location: str) -> str:
        """A catalogue or change export: bytes through the fetcher, decoded by the usual policy."""
        fetched = self.fetcher.fetch(
            location, self.rewrite(location) if is_remote(location) else str(self.cfg.resolve_input(location))
        )
        return decode_bytes(fetched.path.read_bytes()).text

    def add_distributions(self, info: DatasetInfo, dists: list[Distribution], where: str) -> None:
        for n, d in enumerate(dists):
            if d.problem:
                self.unavailable(d.url or f"{where}#resource[{n}]", info, d.problem)
            elif not d.url:
                self.unavailable(f"{where}#resource[{n}]", info, "no download URL")
            elif not is_remote(d.url):
                # A publisher's listing never points at local files; only the user's url_map may do that.
                self.unavailable(d.url, info, "only http(s) download URLs are fetched")
            elif d.format not in READABLE_FORMATS:
                self.unavailable(d.url, info, f"format {d.format or '?'} not read")
            else:
                self.resources.append(
                    self.resource(
                        d.url,
                        READABLE_FORMATS[d.format],
                        info,
                        encoding_hint=d.encoding,
                        modified_at=d.modified or info.modified_at,
                        options={"description": d.description, "members": "*"},
                    )
                )

    def from_api(self, dataset_id: str) -> None:
        source = self.source
        url = metadata_url(source.base_url, dataset_id, source.api)
        location = self.rewrite(url)
        try:
            fetched = self.fetcher.fetch(url, location)
            result = parse_metadata(fetched.path.read_bytes(), dataset_id)
        except (FetchError, MetadataError) as exc:
            self.unavailable(url, DatasetInfo(id=dataset_id), str(exc))
            return
        info = dataset_info(result, dataset_id)
        entry = entry_from_metadata(result, dataset_id)
        if not matches(entry, source.select, self.cfg.license_table()):
            log.info("dataset %s (%s) left out: not what `select` asks for", dataset_id, info.title)
            return
        if source.description_documents:
            self.resources.append(
                self.resource(url, "metadata", info, fetch_url=location, modified_at=info.modified_at)
            )
        if source.take_resources:
            self.add_distributions(info, wanted(entry.resources, source.select), url)

    def changes(self) -> tuple[set[str], set[str]]:
        """(added or modified, deleted) ids over the change exports this run reads (one per day missed)."""
        if self.known_changes is not None:
            return self.known_changes
        return changed_ids(*(parse_catalog(self.read(url)) for url in self.change_urls))

    def from_catalog(self) -> None:
        source = self.source
        assert source.catalog is not None
        try:
            entries = parse_catalog(self.read(source.catalog))
            if source.changes:
                live, _deleted = self.changes()
                entries = [e for e in entries if e.id in live]
        except (FetchError, DecodeFailure, ValueError) as exc:
            self.unavailable(
                source.changes if "changes" in str(exc) else source.catalog,
                DatasetInfo(id="catalog"),
                f"catalogue unreadable: {exc}",
            )
            return
        named = set(source.datasets)
        why: Counter[str] = Counter()
        for entry in entries:
            if (named and entry.id not in named) or not matches(entry, source.select, self.cfg.license_table()):
                continue
            if source.select.text_only:
                why[(text_reason(entry) or "").split(" ")[0]] += 1
            info = DatasetInfo(
                id=entry.id, title=entry.title, agency=entry.agency, license=entry.license, modified_at=entry.modified
            )
            self.add_distributions(info, wanted(entry.resources, source.select), f"{source.catalog}#{entry.id}")
        log.info(
            "catalogue %s: %d datasets, %d selected%s",
            source.catalog,
            len(entries),
            sum(why.values()) if why else len({r.dataset.id for r in self.resources}),
            f" as text ({', '.join(f'{n} by {k}' for k, n in why.most_common())})" if why else "",
        )


def discover(
    cfg: LoadedConfig,
    index: int,
    source: DataGovTwSource,
    fetcher: Fetcher,
    change_urls: list[str] | None = None,
    known_changes: tuple[set[str], set[str]] | None = None,
) -> list[Resource]:
    """With a catalogue: the selected rows of it (only those a change export lists, with `changes`). Without:
    each listed dataset through the metadata API. `change_urls`: the exports to read (default: `changes`);
    `known_changes`: what they say, when the caller read them already."""
    found = _Discovery(cfg, index, source, fetcher, change_urls, known_changes)
    if source.catalog:
        found.from_catalog()
    else:
        for dataset_id in source.datasets:
            found.from_api(dataset_id)
    return found.resources


_DESCRIPTION_FIELDS = (("description", None), ("fieldDescription", "主要欄位說明："), ("resourceDescription", None))


def description_draft(resource: Resource, text: str) -> Draft:
    """The dataset's own words about itself: title, description, field list. Contacts and comments are left out."""
    result = parse_metadata(text.encode("utf-8"), resource.dataset.id)
    parts = [str(result.get("title") or "").strip()]
    for key, label in _DESCRIPTION_FIELDS:
        value = (text_of(result.get(key)) or "").strip()
        if value:
            parts.append(f"{label}{value}" if label else value)
    return Draft(
        locator="$.result",
        text="\n".join(p for p in parts if p),
        title=text_of(result.get("title")),
        source_record_id=resource.dataset.id,
    )


def drafts(
    source: DataGovTwSource, resource: Resource, content: Content, limits: PdfLimits | None = None
) -> Iterator[Draft | BadRecord]:
    if resource.format == "metadata":
        if isinstance(content, bytes):
            raise ValueError("dataset metadata that is not text")
        yield description_draft(resource, content)
        return
    items = list(read_records(resource.format, content, ReadOptions(pdf_limits=limits or PdfLimits())))
    records = [r for r in items if isinstance(r, Record)]
    did = resource.dataset.id
    # Configured columns where this resource has them (a dataset's resources may differ), else detected ones.
    configured = [f for f in source.text_fields.get(did, []) if any(f in r.fields for r in records)]
    text_fields = configured or detect_text_fields(records)
    title_fields = source.title_fields.get(did) or [
        k for k in (records[0].fields if records else {}) if is_title_column(k)
    ]
    id_field = source.id_fields.get(did)
    for item in items:
        if isinstance(item, BadRecord):
            yield item
            continue
        fields = item.fields
        try:  # configured columns must hold text; detected ones do (they were chosen for their Han characters)
            body = "\n".join(t for f in text_fields if (t := (text_value(fields, f) or "").strip()))
        except NotText as exc:
            yield BadRecord(item.locator, "text_not_a_string", str(exc), raw=text_of(fields))
            continue
        title = " ".join(t for f in title_fields if (t := (text_of(fields.get(f)) or "").strip())) or None
        if title and title not in body:
            body = f"{title}\n{body}" if body else title
        yield Draft(
            locator=item.locator,
            text=body,
            title=title,
            source_record_id=text_of(fields.get(id_field)) if id_field else None,
        )


def change_sets(
    cfg: LoadedConfig, index: int, source: DataGovTwSource, fetcher: Fetcher, change_urls: list[str] | None = None
) -> tuple[set[str], set[str]]:
    """(added or modified, deleted) dataset ids of the source's change exports."""
    return _Discovery(cfg, index, source, fetcher, change_urls).changes()
