"""What readers yield: a record with a locator, or a bad record with a reason. Nothing is skipped silently."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any


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


def stream_lines(source: IO[str]) -> Iterator[str]:
    """The lines of a seekable text stream opened with newline="" (so ended at \\n, \\r\\n or \\r only), from its
    start, ends kept, a BOM left out: how JSON Lines and CSV read a big file a line at a time."""
    source.seek(0)
    for n, line in enumerate(source):
        yield line.removeprefix("\ufeff") if n == 0 else line
