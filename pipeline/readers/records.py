"""What readers yield: a record with a locator, or a bad record with a reason. Nothing is skipped silently."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Record:
    locator: str  # e.g. "row:12", "line:3", "$.result.records[4]"
    fields: dict[str, Any]


@dataclass(frozen=True, slots=True)
class BadRecord:
    locator: str
    reason: str
    detail: str
    raw: str | None = None  # the offending text, kept for the rejected table
