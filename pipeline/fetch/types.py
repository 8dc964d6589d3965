"""What the fetch stage hands on: the bytes of a resource where they now are, or the error that stopped it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path


class FetchError(RuntimeError):
    """A resource that could not be retrieved; the message names the URL and the cause."""


@dataclass(frozen=True)
class Fetched:
    url: str
    path: Path  # where the bytes are now (raw store or the local file itself)
    sha256: str
    size: int
    retrieved_at: datetime
    downloaded: bool  # False when served from the store (304 or unchanged local file)
    content_type: str | None = None  # as the server declared it (None for local files)


@dataclass(frozen=True)
class FetchedRef:
    """One resource's fetch result as it travels between processes (plain strings); None fields mean the fetch
    failed (see `error`)."""

    path: str | None
    sha256: str | None
    retrieved_at: str | None
    error: str | None = None
