"""The Document record and its Arrow schema: the contract between stages and with researchers.

Every column exists from the first release. A value the pipeline has not computed is null, never a
placeholder, so researchers can tell "unknown" from "zero" or "empty".
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pyarrow as pa

QUALITY_TYPE = pa.struct(
    [
        pa.field("han_ratio", pa.float32()),
        pa.field("traditional_ratio", pa.float32()),
        pa.field("dup_line_fraction", pa.float32()),
        pa.field("top_ngram_fraction", pa.float32()),
        pa.field("digit_fraction", pa.float32()),
        pa.field("boilerplate_fraction", pa.float32()),
        pa.field("language", pa.string()),
    ]
)

PRIVATE_USE_TYPE = pa.list_(
    pa.struct(
        [
            pa.field("field", pa.string()),
            pa.field("offset", pa.int32()),
            pa.field("code", pa.string()),
            pa.field("char", pa.string()),
            pa.field("basis", pa.string()),
        ]
    )
)

# (name, arrow type, description) -- the description is written into the dataset card.
COLUMNS: list[tuple[str, pa.DataType, str]] = [
    ("id", pa.string(), "stable id: hash of source, dataset, resource and record locator"),
    ("text", pa.string(), "document text after normalisation"),
    ("title", pa.string(), "title of the record, when the publisher gives one"),
    ("source", pa.string(), "source family (local, datagovtw, moj_laws, ...)"),
    ("dataset_id", pa.string(), "publisher's dataset id (e.g. data.gov.tw dataset number)"),
    ("dataset_title", pa.string(), "publisher's dataset name"),
    ("agency", pa.string(), "providing agency (提供機關)"),
    ("agency_id", pa.string(), "agency code or OID, when known"),
    ("resource_url", pa.string(), "URL or path of the file the record came from"),
    ("record_locator", pa.string(), "where in the resource the record is (row, JSON path, member)"),
    ("source_record_id", pa.string(), "the publisher's own id of the record (e.g. a law's PCode)"),
    ("raw_sha256", pa.string(), "sha256 of the raw resource bytes"),
    ("retrieved_at", pa.timestamp("us", tz="UTC"), "when the resource bytes were retrieved"),
    ("source_encoding", pa.string(), "decoder used for the resource bytes"),
    ("modified_at", pa.timestamp("us", tz="UTC"), "publisher's last-modified time of the record or resource"),
    ("license", pa.string(), "canonical licence id (SPDX where one exists)"),
    ("license_url", pa.string(), "link to the licence text"),
    ("attribution", pa.string(), "attribution statement the licence requires"),
    (
        "access_tier",
        pa.string(),
        "open (開放資料: the public release, anyone may download) or authorised (授權資料: the restricted "
        "release, for those granted access, AI training only)",
    ),
    ("language", pa.string(), "language of the text: as the publisher declares it, else as detected (zh, en, ...)"),
    ("metadata", pa.string(), "publisher facts with no column of their own, as a JSON object (e.g. title_zh)"),
    ("script", pa.string(), "hant, hans, mixed or other"),
    ("normalization", pa.list_(pa.string()), "normalisation steps that changed this document"),
    ("flags", pa.list_(pa.string()), "record-level flags kept by config (abolished_law, private_use_chars, ...)"),
    ("converted_chars", pa.int32(), "characters changed by script conversion (OpenCC); 0 when none was needed"),
    ("pii_redactions", pa.int32(), "number of personal-data spans redacted"),
    (
        "private_use",
        PRIVATE_USE_TYPE,
        "private-use code points (造字) replaced: field, offset in it, code point, what stands there now (the "
        "standard character, or 〓 when unmapped) and the basis (table | unmapped)",
    ),
    ("quality", QUALITY_TYPE, "quality signals (null where not computed)"),
    ("n_chars", pa.int64(), "characters in text"),
    ("n_words", pa.int64(), "jieba words in text (null in rejected/ for the rows of a file split across workers)"),
    ("n_tokens", pa.int64(), "tokens of the tokenizer named in `tokenizer` (null where n_words is)"),
    ("tokenizer", pa.string(), "tokenizer name and version used for n_tokens"),
    ("dup_cluster", pa.string(), "duplicate cluster id (every document has one; singletons their own)"),
    ("dup_count", pa.int32(), "number of documents in the duplicate cluster"),
    ("pipeline_version", pa.string(), "twcorpus version that produced the row"),
    ("run_id", pa.string(), "run that produced the row"),
]

REJECTION_COLUMNS: list[tuple[str, pa.DataType, str]] = [
    ("reason", pa.string(), "why the record is not published (machine-readable code)"),
    ("reason_detail", pa.string(), "human-readable detail: offending codes, error message, ..."),
]

DOCUMENT_SCHEMA = pa.schema([pa.field(n, t) for n, t, _ in COLUMNS])
REJECTED_SCHEMA = pa.schema([pa.field(n, t) for n, t, _ in COLUMNS + REJECTION_COLUMNS])
# Staged rows carry the rejection columns (null for kept rows) and the dedup key, which is internal.
STAGED_SCHEMA = pa.schema(
    [
        *REJECTED_SCHEMA,
        pa.field("hash_key", pa.string()),
        pa.field("minhash", pa.binary()),
        pa.field("view_len", pa.int32()),  # characters of the hashing view (containment needs set sizes)
        pa.field("prefix_key", pa.uint64()),  # its first PREFIX_CHARS: where a truncated copy still agrees
        pa.field("line_keys", pa.list_(pa.uint64())),  # edge lines, for the boilerplate count at publish
        pa.field("line_views", pa.string()),  # the view of each non-empty line, "\n"-joined: what verification aligns
    ]
)


def document_id(source: str, dataset_id: str, resource_url: str, record_locator: str) -> str:
    """Stable across runs: depends only on where the record comes from, never on its text."""
    key = "\x1f".join((source, dataset_id, resource_url, record_locator))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


@dataclass(slots=True)
class Document:
    """One record on its way through the pipeline; rejected rows carry `reason`."""

    id: str
    text: str
    source: str
    dataset_id: str
    resource_url: str
    record_locator: str
    title: str | None = None
    dataset_title: str | None = None
    agency: str | None = None
    agency_id: str | None = None
    source_record_id: str | None = None
    raw_sha256: str | None = None
    retrieved_at: datetime | None = None
    source_encoding: str | None = None
    modified_at: datetime | None = None
    license: str | None = None
    license_url: str | None = None
    attribution: str | None = None
    access_tier: str | None = None
    language: str | None = None
    metadata: str | None = None
    script: str | None = None
    normalization: list[str] | None = None
    flags: list[str] | None = None
    converted_chars: int | None = None
    pii_redactions: int | None = None
    private_use: list[dict[str, Any]] | None = None
    quality: dict[str, Any] | None = None
    n_chars: int | None = None
    n_words: int | None = None
    n_tokens: int | None = None
    tokenizer: str | None = None
    dup_cluster: str | None = None
    dup_count: int | None = None
    pipeline_version: str | None = None
    run_id: str | None = None
    reason: str | None = None
    reason_detail: str | None = None
    hash_key: str | None = field(default=None, repr=False)
    minhash: bytes | None = field(default=None, repr=False)
    view_len: int | None = field(default=None, repr=False)
    prefix_key: int | None = field(default=None, repr=False)
    line_keys: list[int] | None = field(default=None, repr=False)
    line_views: str | None = field(default=None, repr=False)
    hash_view: str | None = field(default=None, repr=False)  # transient: input of the MinHash signature

    def reject(self, reason: str, detail: str | None = None) -> Document:
        self.reason = reason
        self.reason_detail = detail
        return self

    def as_row(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}


def to_table(docs: list[Document], schema: pa.Schema = STAGED_SCHEMA) -> pa.Table:
    """The documents as a table of `schema`, built a column at a time (a row dict per document took twice as
    long as the rest of staging)."""
    return pa.Table.from_arrays([pa.array([getattr(d, f.name) for d in docs], f.type) for f in schema], schema=schema)
