from datetime import UTC, datetime

import pyarrow as pa

from pipeline.document import (
    COLUMNS,
    DOCUMENT_SCHEMA,
    REJECTED_SCHEMA,
    Document,
    document_id,
    to_table,
)

CONTRACT = [
    "id",
    "text",
    "title",
    "source",
    "dataset_id",
    "dataset_title",
    "agency",
    "agency_id",
    "resource_url",
    "record_locator",
    "raw_sha256",
    "retrieved_at",
    "source_encoding",
    "modified_at",
    "license",
    "license_url",
    "attribution",
    "script",
    "normalization",
    "pii_redactions",
    "n_chars",
    "n_words",
    "n_tokens",
    "dup_cluster",
    "dup_count",
    "pipeline_version",
    "run_id",
    "source_record_id",
]


def test_every_contract_column_is_in_the_schema():
    names = set(DOCUMENT_SCHEMA.names)
    assert set(CONTRACT) <= names
    assert "quality" in names and "tokenizer" in names
    assert len({n for n, _, _ in COLUMNS}) == len(COLUMNS)


def test_rejected_schema_is_document_schema_plus_reason():
    assert REJECTED_SCHEMA.names[: len(DOCUMENT_SCHEMA.names)] == DOCUMENT_SCHEMA.names
    assert REJECTED_SCHEMA.names[len(DOCUMENT_SCHEMA.names) :] == ["reason", "reason_detail"]


def test_document_id_depends_on_location_not_text():
    a = document_id("local", "ds", "f.jsonl", "line:1")
    assert a == document_id("local", "ds", "f.jsonl", "line:1")
    assert a != document_id("local", "ds", "f.jsonl", "line:2")
    assert a != document_id("local", "ds2", "f.jsonl", "line:1")
    assert len(a) == 32


def test_uncomputed_columns_stay_null():
    doc = Document(id="x", text="臺灣", source="local", dataset_id="d", resource_url="u", record_locator="line:1")
    doc.retrieved_at = datetime(2026, 1, 2, tzinfo=UTC)
    row = to_table([doc], DOCUMENT_SCHEMA.append(pa.field("hash_key", pa.string()))).to_pylist()[0]
    for name in ("n_words", "script", "pii_redactions", "quality", "dup_cluster", "n_tokens"):
        assert row[name] is None, name
    assert row["retrieved_at"] == datetime(2026, 1, 2, tzinfo=UTC)
