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
    language: str | None = None  # what the publisher says the text is in (e.g. "en" for MOJ translations)
    metadata: dict[str, str] | None = None  # publisher facts with no column of their own (e.g. title_zh)


_JSON_TYPES = {bool: "a boolean", int: "a number", float: "a number", dict: "an object", list: "an array"}


class NotText(ValueError):
    """A field meant to hold text holds a number, a boolean, an object or an array."""


def text_value(fields: dict[str, Any], name: str) -> str | None:
    """The value of a field configured as text: a string, or None when absent or null. Anything else raises
    NotText naming its type: `{"text": 12345}` is not a document whose text is "12345"."""
    value = fields.get(name)
    if value is None or isinstance(value, str):
        return value
    kind = _JSON_TYPES.get(type(value), type(value).__name__)
    shown = json.dumps(value, ensure_ascii=False)
    shown = shown if len(shown) <= 60 else shown[:57] + "..."
    raise NotText(f"field {name!r} holds {kind} ({shown}), not text")


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
