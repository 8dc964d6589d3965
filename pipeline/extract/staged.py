"""What extraction leaves for publish: one staged Arrow file of rows per resource and its typed record.

A staged file holds every record of a resource with the attributes extraction computed -- text after
normalisation, script, language, quality signals, personal-data and private-use counts, lengths, words, tokens,
hashing keys and the MinHash signature -- and a `reason` only where a fact rules a record out (it cannot be
decoded or parsed, its text is empty, too long, not text). No threshold or policy is applied here: publish
decides (publish/decisions.py), so changing a decision setting re-publishes from these files without
re-extracting.

The key names everything that shapes the file's content: the resource's identity and bytes, the settings of
its source's reader, normalisation, tokens and signatures, the private-use table and the pipeline version --
and nothing that publish decides. When the record (`<key>.json`) exists the work is done.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from pipeline.atomic import atomic_write_bytes
from pipeline.config import DatasetInfo, LoadedConfig
from pipeline.dedup.boilerplate import LINE_KEY_SCHEME
from pipeline.dedup.hashing import VERSION as HASHING_VIEW_VERSION
from pipeline.dedup.minhash import SCHEME, SHINGLE_HASH
from pipeline.fetch import FetchedRef
from pipeline.paths import RunContext
from pipeline.readers import STREAMED
from pipeline.sources import Resource

EXTRACT_RULES = 12  # bumped when what extraction makes of the same bytes changes (staged files then redone)
# Source settings publish decides on, or that do not change what a file's records become.
DECISION_FIELDS = frozenset({"name", "priority", "private_use", "include_abolished", "restricted", "optional", "paths"})


class StepStat(BaseModel):
    """One step's work on a resource: documents in, documents out (still in the running), CPU seconds."""

    docs_in: int = 0
    docs_out: int = 0
    cpu_s: float = 0.0


class StagedResource(BaseModel):
    """The record of one staged resource: where its rows are, what it is, how extraction went."""

    key: str
    staged: str  # the Arrow file of rows
    resource_url: str
    source_index: int
    source: str  # the source kind (local, moj_laws, datagovtw)
    dataset: DatasetInfo  # as the config or the publisher states it; licence and provider are resolved at publish
    modified_at: str | None = None  # the resource's own date, when its records give none
    raw_sha256: str | None = None
    retrieved_at: str | None = None
    decoder: str | None = None
    records_read: int = 0
    staged_ok: int = 0  # records no fact rules out
    rejected_at_extract: dict[str, int] = Field(default_factory=dict)
    normalization: dict[str, Any] = Field(default_factory=dict)
    steps: dict[str, StepStat] = Field(default_factory=dict)
    pipeline_version: str = ""
    reused: bool = False  # set when read back: extracted by an earlier run
    # words and tokens counted here; a resource split across workers (one big file) is counted at publish, its
    # published documents only (`publish.counts`)
    counted: bool = True

    @property
    def dataset_id(self) -> str:
        return self.dataset.id

    @property
    def dataset_title(self) -> str | None:
        return self.dataset.title

    @property
    def agency(self) -> str | None:
        return self.dataset.agency

    def save(self, path: Path) -> None:
        body = self.model_dump_json(exclude={"reused"}, indent=1).encode("utf-8")
        atomic_write_bytes(path, body)

    @classmethod
    def load(cls, path: Path) -> StagedResource:
        return cls.model_validate_json(path.read_text(encoding="utf-8")).model_copy(update={"reused": True})


def _reader_settings(cfg: LoadedConfig, resource: Resource) -> dict[str, Any]:
    source = cfg.corpus.sources[resource.source_index].model_dump(mode="json", exclude=set(DECISION_FIELDS))
    source.pop("dataset", None)
    return source


def staged_key(cfg: LoadedConfig, ctx: RunContext, resource: Resource, fetched: FetchedRef) -> str:
    corpus = cfg.corpus
    identity = resource.model_dump(mode="json", exclude={"dataset", "modified_at", "source_name", "fetch_url"})
    settings = {
        "resource": identity,
        "dataset_id": resource.dataset.id,  # part of every document id
        "reader": _reader_settings(cfg, resource),
        "max_record_chars": corpus.max_record_chars,
        "max_resource_bytes": corpus.max_resource_bytes,
        "rules": EXTRACT_RULES,
        "tokens": corpus.tokens.model_dump(mode="json"),
        "normalize": corpus.normalize.model_dump(mode="json"),
        "pii": corpus.pii.model_dump(mode="json"),
        "private_use_table": cfg.private_use_table().digest,
        "signature": corpus.dedup.model_dump(mode="json", include={"near", "num_perm", "ngram", "seed"}),
        "signature_scheme": [SCHEME, SHINGLE_HASH, HASHING_VIEW_VERSION, LINE_KEY_SCHEME],
        "tokenizer": cfg.token_label(),
        "raw": fetched.sha256,
        "error": fetched.error,
        "version": ctx.pipeline_version,
    }
    if resource.format in STREAMED:  # their own limit: the other resources' keys do not move with it
        settings["max_streamed_bytes"] = corpus.max_streamed_bytes
    blob = json.dumps(settings, sort_keys=True, ensure_ascii=False).encode("utf-8")
    return hashlib.sha256(blob).hexdigest()[:24]


def staged_paths(ctx: RunContext, key: str) -> tuple[Path, Path]:
    base = ctx.paths.staged_dir / key[:2]
    return base / f"{key}.arrow", base / f"{key}.json"
