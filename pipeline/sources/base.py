"""Shared shapes: a Resource (one file to read) and a Draft (one record's text before normalisation)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from pipeline.config import DatasetInfo


class Resource(BaseModel):
    """One file of one dataset. JSON-serialisable so orchestrators can pass it between processes."""

    model_config = ConfigDict(frozen=True)

    source_index: int
    source_kind: str
    source_name: str
    url: str  # identity in provenance (stable URL or path as configured)
    fetch_url: str  # where the bytes are read from (after URL rewrites)
    format: str
    encoding_hint: str | None = None
    dataset: DatasetInfo
    modified_at: str | None = None
    options: dict[str, Any] = {}

    def key(self) -> str:
        blob = json.dumps(self.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class Draft:
    locator: str
    text: str
    title: str | None = None
    source_record_id: str | None = None
    modified_at: datetime | None = None
    agency: str | None = None  # the record's own agency, when it differs from the dataset's
    rejection: tuple[str, str] | None = None  # (reason, detail) when the source itself rules the record out
    flags: tuple[str, ...] = ()  # what the source noticed but the config keeps (e.g. abolished_law)


def text_of(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, int | float | bool):
        return str(value)
    return json.dumps(value, ensure_ascii=False)


def first_of(d: dict[str, Any], *keys: str) -> Any:
    """The value of the first key that is present and not empty: publishers rename keys between versions."""
    for k in keys:
        v = d.get(k)
        if v not in (None, ""):
            return v
    return None
