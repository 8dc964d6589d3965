"""Removal requests that stick: a ledger beside the configs, applied by every publish.

A citizen finds their ID number in a gazette notice, an agency withdraws a dataset, a publisher asks for an
article to be taken down. Each request is one entry of the removal ledger (`removals.yaml` beside the config,
plain YAML to review in version control: when, who asked, why, and what it matches -- document ids, a dataset,
a resource URL, or a regular expression on the text). Every publish applies the whole ledger: a matched
document is rejected as `removed` with its text withheld, and so is its whole duplicate cluster (a copy is not
promoted in its place). The removed documents' dedup keys and signatures stay in the release's dedup index as
tombstones, so a copy of one that turns up later, anywhere, is removed too -- though its text is gone.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import yaml
from pydantic import BaseModel, Field, field_validator, model_validator

from pipeline.atomic import atomic_write_bytes

REMOVED = "removed"
TOMBSTONES = "removed.parquet"  # in the release's dedup index folder
_HEADER = (
    "# Removal ledger: every release after an entry leaves out what it matches (and its duplicate clusters).\n"
    "# Written by `twcorpus remove`; one entry per request. Review it like code; never delete an entry.\n"
)


class Removal(BaseModel):
    """One request: what it matches (exactly one of ids, dataset, resource_url, match) and why."""

    at: str = Field(description="when the request was recorded (UTC, ISO 8601)")
    reason: str = Field(min_length=1)
    requested_by: str | None = None
    ids: list[str] = Field(default_factory=list, description="document ids")
    keys: list[str] = Field(
        default_factory=list,
        description="dedup keys of those documents when the request was made, in the same order: an id that "
        "names another record later (a line inserted above it) does not remove that record",
    )
    dataset: str | None = Field(default=None, description="a dataset id: all its documents")
    resource_url: str | None = None
    match: str | None = Field(default=None, description="regular expression searched in the text and title")

    @field_validator("match")
    @classmethod
    def _compiles(cls, value: str | None) -> str | None:
        if value is not None:
            re.compile(value)
        return value

    @model_validator(mode="after")
    def _one_criterion(self) -> Removal:
        given = [bool(self.ids), self.dataset is not None, self.resource_url is not None, self.match is not None]
        if sum(given) != 1:
            raise ValueError("a removal names exactly one of: ids, dataset, resource_url, match")
        return self

    def kind(self) -> str:
        """What kind of thing the entry names, without naming it (a pattern may hold the very data removed)."""
        if self.ids:
            return f"{len(self.ids)} document id(s)"
        if self.dataset is not None:
            return "dataset"
        return "resource" if self.resource_url is not None else "text pattern"

    def what(self) -> str:
        """What the entry matches, in a few words (for logs, reports and cards: never the matched text)."""
        if self.ids:
            return f"{len(self.ids)} document id(s)"
        if self.dataset is not None:
            return f"dataset {self.dataset}"
        if self.resource_url is not None:
            return f"resource {self.resource_url}"
        return f"text matching /{self.match}/"


class Ledger:
    """The entries of one ledger file, with a matcher for rows."""

    def __init__(self, entries: list[Removal], path: Path | None = None) -> None:
        self.entries, self.path = entries, path
        self._ids: dict[str, tuple[int, str | None]] = {}
        for n, e in enumerate(entries):
            for k, doc_id in enumerate(e.ids):
                self._ids.setdefault(doc_id, (n, e.keys[k] if k < len(e.keys) else None))
        self._patterns = [(n, re.compile(e.match)) for n, e in enumerate(entries) if e.match is not None]

    @property
    def needs_text(self) -> bool:
        return bool(self._patterns)

    def digest(self) -> str:
        body = yaml.safe_dump([e.model_dump() for e in self.entries], allow_unicode=True, sort_keys=True)
        return hashlib.sha256(body.encode("utf-8")).hexdigest()

    def entry_for(
        self,
        doc_id: str,
        dataset_id: str,
        resource_url: str,
        text: str | None = None,
        title: str | None = None,
        key: str | None = None,
    ) -> int | None:
        """The index of the earliest entry matching a document, or None. `key`: the document's dedup key, when
        known (an id matches only with the key recorded for it)."""
        found = None
        if doc_id in self._ids:
            n, recorded = self._ids[doc_id]
            found = n if recorded is None or key is None or recorded == key else None
        for n, e in enumerate(self.entries[: found if found is not None else len(self.entries)]):
            if (e.dataset is not None and e.dataset == dataset_id) or (
                e.resource_url is not None and e.resource_url == resource_url
            ):
                found = n
                break
        for n, pattern in self._patterns:
            if found is not None and n >= found:
                break
            if pattern.search(text or "") or pattern.search(title or ""):
                return n
        return found

    def describe(self, n: int) -> str:
        e = self.entries[n]
        who = f", requested by {e.requested_by}" if e.requested_by else ""
        return f"removal request {n + 1} ({e.at[:10]}{who}): {e.reason}"


def load_ledger(path: Path | None) -> Ledger:
    """The ledger at `path`; an absent file is an empty ledger. A malformed one stops the run, naming why."""
    if path is None or not path.exists():
        return Ledger([], path)
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    if not isinstance(raw, list):
        raise ValueError(f"{path}: a removal ledger is a YAML list of entries")
    entries = []
    for n, item in enumerate(raw, 1):
        try:
            entries.append(Removal.model_validate(item))
        except ValueError as exc:
            raise ValueError(f"{path}: entry {n}: {exc}") from exc
    return Ledger(entries, path)


def record(path: Path, removal: Removal) -> Ledger:
    """Append one entry to the ledger file (written whole and atomically); returns the ledger now."""
    ledger = load_ledger(path)
    entries = [*ledger.entries, removal]
    body = yaml.safe_dump(
        [e.model_dump(exclude_defaults=True) for e in entries], allow_unicode=True, sort_keys=False, width=1000
    )
    atomic_write_bytes(path, (_HEADER + body).encode("utf-8"))
    return Ledger(entries, path)


def new_request(reason: str, requested_by: str | None = None, **what: Any) -> Removal:
    stamp = datetime.now(UTC).isoformat(timespec="seconds")
    return Removal(at=stamp, reason=reason, requested_by=requested_by, **what)


# -- tombstones -------------------------------------------------------------------------------------------------


def read_tombstones(index_folder: Path) -> tuple[list[str], np.ndarray | None, list[int]]:
    """(dedup keys, [n, num_perm] signatures or None, ledger entry) of the documents a release removed."""
    path = index_folder / TOMBSTONES
    if not path.exists():
        return [], None, []
    table = pq.read_table(path)
    keys = table["hash_key"].to_pylist()
    blobs = table["minhash"].to_pylist()
    signatures = None
    if blobs and all(blobs):
        signatures = np.stack([np.frombuffer(b, dtype=np.uint32) for b in blobs])
    return keys, signatures, table["request"].to_pylist()


def write_tombstones(index_folder: Path, rows: Iterable[tuple[str, bytes | None, int]]) -> None:
    keys, blobs, requests = [], [], []
    for key, blob, request in rows:
        keys.append(key)
        blobs.append(blob)
        requests.append(request)
    if not keys:
        return
    index_folder.mkdir(parents=True, exist_ok=True)
    table = pa.table(
        {
            "hash_key": pa.array(keys, pa.string()),
            "minhash": pa.array(blobs, pa.binary()),
            "request": pa.array(requests, pa.int32()),
        }
    )
    pq.write_table(table, index_folder / TOMBSTONES, compression="zstd")
