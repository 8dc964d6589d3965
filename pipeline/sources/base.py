"""Shared shapes: a Resource (one file to read) and a Draft (one record's text before normalisation)."""

from __future__ import annotations

import glob
import hashlib
import json
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from pipeline.config import DatasetInfo, LoadedConfig


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


class SourceError(ValueError):
    """A source that cannot be expanded into resources (e.g. a glob that matches nothing)."""


def expand_paths(cfg: LoadedConfig, patterns: list[str], label: str) -> list[Path]:
    """Globs relative to the config file, sorted for a deterministic order; an empty match is an error."""
    found: list[Path] = []
    for pattern in patterns:
        full = cfg.resolve_input(pattern)
        matches = sorted(Path(p) for p in glob.glob(str(full), recursive=True))
        files = [m for m in matches if m.is_file()]
        if not files:
            raise SourceError(f"{cfg.path}: {label}: pattern {pattern!r} matches no file (looked for {full})")
        found += [f for f in files if f not in found]
    return found


def display_path(cfg: LoadedConfig, path: Path) -> str:
    """Provenance path relative to the config file, so ids do not change when the checkout moves. Bytes of a
    file name that are not UTF-8 are shown as \\xNN (the name must be storable text)."""
    shown = Path(os.path.relpath(path.resolve(), cfg.base_dir)).as_posix()
    return os.fsencode(shown).decode("utf-8", "backslashreplace")


def fetch_location(path: Path) -> str:
    """Where a local file's bytes are read from, as storable text: the path, or a file: URI with the name's
    bytes %-encoded when they are not UTF-8 (fetch.local_path reads both)."""
    text = str(path)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return path.absolute().as_uri()
    return text


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
