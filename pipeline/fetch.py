"""Bytes into a content-addressed raw store, with a ledger of every retrieval.

Local files are hashed in place (no copy); remote files are downloaded once and kept under their sha256.
The ledger remembers validators (ETag, Last-Modified) so an unchanged remote file is not downloaded again,
and remembers when a given content was first seen, so `retrieved_at` is stable across re-runs.
"""

from __future__ import annotations

import hashlib
import os
import random
import sqlite3
import threading
import time
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote, urlparse

import httpx

from pipeline import __version__
from pipeline.atomic import atomic_write_bytes, sha256_file

USER_AGENT = f"twcorpus/{__version__} (+https://github.com/twcorpus/twcorpus)"
MAX_BYTES = 2 * 1024**3
_RETRY_STATUS = {429, 500, 502, 503, 504}


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


def rewrite_url(url: str, url_map: dict[str, str], base_dir: Path) -> str:
    """Apply the longest matching prefix rewrite; a relative local target resolves against base_dir."""
    for prefix in sorted(url_map, key=len, reverse=True):
        if url.startswith(prefix):
            rest = url[len(prefix) :]
            target = url_map[prefix]
            target = target.replace("{rest}", rest) if "{rest}" in target else target + rest
            if "://" not in target and not os.path.isabs(target):
                target = str(base_dir / target)
            return target
    return url


def is_remote(url: str) -> bool:
    return urlparse(url).scheme in ("http", "https")


def local_path(url: str) -> Path:
    parsed = urlparse(url)
    if parsed.scheme == "file":
        return Path(unquote(parsed.path))
    if parsed.scheme and len(parsed.scheme) > 1:
        raise FetchError(f"{url}: unsupported URL scheme {parsed.scheme!r} (http, https, file or a path)")
    return Path(url)


class RawStore:
    """Files named by their sha256 under raw/<2 hex>/<sha256>; written via a temp file and rename."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path_for(self, sha: str) -> Path:
        return self.root / sha[:2] / sha

    def put(self, data: bytes) -> tuple[str, Path]:
        sha = hashlib.sha256(data).hexdigest()
        dest = self.path_for(sha)
        if not dest.exists():
            atomic_write_bytes(dest, data)
        return sha, dest


class Ledger:
    """SQLite log of retrievals; safe for concurrent writers (WAL, short transactions)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        with closing(self._connect()) as db, db:
            db.execute(
                "CREATE TABLE IF NOT EXISTS fetches (url TEXT, status INTEGER, etag TEXT, last_modified TEXT,"
                " size INTEGER, sha256 TEXT, fetched_at TEXT, downloaded INTEGER)"
            )
            db.execute("CREATE INDEX IF NOT EXISTS fetches_url ON fetches(url)")

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=30)
        db.execute("PRAGMA journal_mode=WAL")
        return db

    def last(self, url: str) -> dict[str, object] | None:
        with closing(self._connect()) as db:
            db.row_factory = sqlite3.Row
            row = db.execute(
                "SELECT * FROM fetches WHERE url=? AND sha256 IS NOT NULL ORDER BY rowid DESC LIMIT 1", (url,)
            ).fetchone()
            return dict(row) if row else None

    def first_seen(self, url: str, sha: str) -> datetime | None:
        with closing(self._connect()) as db:
            row = db.execute("SELECT MIN(fetched_at) FROM fetches WHERE url=? AND sha256=?", (url, sha)).fetchone()
        return datetime.fromisoformat(row[0]) if row and row[0] else None

    def record(
        self,
        url: str,
        status: int,
        sha: str | None,
        size: int | None,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        downloaded: bool = False,
    ) -> datetime:
        now = datetime.now(UTC)
        with closing(self._connect()) as db, db:
            db.execute(
                "INSERT INTO fetches VALUES (?,?,?,?,?,?,?,?)",
                (url, status, etag, last_modified, size, sha, now.isoformat(), int(downloaded)),
            )
        return now

    def downloads(self) -> int:
        with closing(self._connect()) as db:
            return db.execute("SELECT COUNT(*) FROM fetches WHERE downloaded=1").fetchone()[0]


_HOST_SLOTS: dict[tuple[str, int], threading.BoundedSemaphore] = {}
_HOST_SLOTS_LOCK = threading.Lock()


def host_slot(url: str, limit: int) -> threading.BoundedSemaphore:
    """The process-wide semaphore that caps concurrent requests to the URL's host."""
    key = (urlparse(url).netloc.lower(), limit)
    with _HOST_SLOTS_LOCK:
        if key not in _HOST_SLOTS:
            _HOST_SLOTS[key] = threading.BoundedSemaphore(limit)
        return _HOST_SLOTS[key]


class Fetcher:
    """Retrieves one URL or path at a time; shared by discovery (metadata) and the fetch stage."""

    def __init__(
        self,
        store: RawStore,
        ledger: Ledger,
        *,
        timeout: float = 30.0,
        retries: int = 4,
        backoff: float = 0.5,
        max_bytes: int = MAX_BYTES,
        per_host: int = 4,
    ) -> None:
        self.store = store
        self.ledger = ledger
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.max_bytes = max_bytes
        self.per_host = per_host

    def fetch(self, url: str, fetch_url: str | None = None) -> Fetched:
        """`url` is the identity recorded in provenance; `fetch_url` (after rewrites) is where bytes come from."""
        source = fetch_url or url
        if is_remote(source):
            return self._fetch_remote(url, source)
        return self._fetch_local(url, local_path(source))

    def _fetch_local(self, url: str, path: Path) -> Fetched:
        if not path.is_file():
            raise FetchError(f"{url}: no such file {path}")
        sha = sha256_file(path)
        size = path.stat().st_size
        seen = self.ledger.first_seen(url, sha)
        now = self.ledger.record(url, 200, sha, size)
        return Fetched(url, path, sha, size, seen or now, downloaded=False)

    def _fetch_remote(self, url: str, source: str) -> Fetched:
        prev = self.ledger.last(url)
        headers = {"User-Agent": USER_AGENT}
        if prev and self.store.path_for(str(prev["sha256"])).exists():
            if prev.get("etag"):
                headers["If-None-Match"] = str(prev["etag"])
            if prev.get("last_modified"):
                headers["If-Modified-Since"] = str(prev["last_modified"])
        response = self._get_with_retries(url, source, headers)
        if response.status_code == 304 and prev:
            sha = str(prev["sha256"])
            self.ledger.record(
                url,
                304,
                sha,
                int(prev["size"] or 0),
                etag=str(prev.get("etag") or "") or None,
                last_modified=str(prev.get("last_modified") or "") or None,
            )
            seen = self.ledger.first_seen(url, sha)
            return Fetched(
                url, self.store.path_for(sha), sha, int(prev["size"] or 0), seen or datetime.now(UTC), downloaded=False
            )
        if response.status_code != 200:
            self.ledger.record(url, response.status_code, None, None)
            raise FetchError(f"{url}: HTTP {response.status_code}")
        data = response.content
        sha, path = self.store.put(data)
        seen = self.ledger.first_seen(url, sha)
        now = self.ledger.record(
            url,
            200,
            sha,
            len(data),
            etag=response.headers.get("etag"),
            last_modified=response.headers.get("last-modified"),
            downloaded=True,
        )
        return Fetched(url, path, sha, len(data), seen or now, downloaded=True)

    def _get_with_retries(self, url: str, source: str, headers: dict[str, str]) -> httpx.Response:
        last_error = ""
        for attempt in range(self.retries + 1):
            wait: float | None = None
            try:
                with (
                    host_slot(source, self.per_host),
                    httpx.Client(timeout=self.timeout, follow_redirects=True) as client,
                    client.stream("GET", source, headers=headers) as response,
                ):
                    if response.status_code in _RETRY_STATUS and attempt < self.retries:
                        last_error = f"HTTP {response.status_code}"
                        wait = self._delay(attempt, response.headers.get("retry-after"))
                    else:
                        response._content = self._read_capped(url, response)
                        return response
            except httpx.TransportError as exc:
                last_error = f"{type(exc).__name__}: {exc}"
                wait = self._delay(attempt, None) if attempt < self.retries else None
            if wait is not None:
                time.sleep(wait)  # outside the host slot, so other requests to the host can go on
        raise FetchError(f"{url}: gave up after {self.retries + 1} attempts ({last_error})")

    def _read_capped(self, url: str, response: httpx.Response) -> bytes:
        declared = response.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > self.max_bytes:
            raise FetchError(f"{url}: response larger than {self.max_bytes} bytes ({declared} declared)")
        body = bytearray()
        for chunk in response.iter_bytes():
            body.extend(chunk)
            if len(body) > self.max_bytes:
                raise FetchError(f"{url}: response larger than {self.max_bytes} bytes")
        return bytes(body)

    def _delay(self, attempt: int, retry_after: str | None) -> float:
        if retry_after and retry_after.strip().isdigit():
            return min(float(retry_after), 60.0)
        return self.backoff * (2**attempt) * (0.5 + random.random() / 2)
