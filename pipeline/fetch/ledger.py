"""The fetch ledger: every retrieval with its validators, in SQLite."""

from __future__ import annotations

import sqlite3
import threading
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path


class Ledger:
    """SQLite log of retrievals; safe for concurrent writers (WAL, short transactions).

    One connection per thread, kept: opening one per call cost more than the call (0.8 ms of CPU per
    resource, 5 s over the 2,926 real-data files). synchronous=NORMAL, SQLite's setting for WAL: a power
    cut may lose the last few records (those files are fetched again), never corrupt the ledger.
    """

    COLUMNS = ("url", "status", "etag", "last_modified", "size", "sha256", "fetched_at", "downloaded", "content_type")

    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()
        path.parent.mkdir(parents=True, exist_ok=True)
        with closing(self._open()) as db, db:
            db.execute(
                "CREATE TABLE IF NOT EXISTS fetches (url TEXT, status INTEGER, etag TEXT, last_modified TEXT,"
                " size INTEGER, sha256 TEXT, fetched_at TEXT, downloaded INTEGER, content_type TEXT)"
            )
            db.execute("CREATE INDEX IF NOT EXISTS fetches_url ON fetches(url)")
            have = {row[1] for row in db.execute("PRAGMA table_info(fetches)")}
            if "content_type" not in have:  # a ledger written before the column existed
                db.execute("ALTER TABLE fetches ADD COLUMN content_type TEXT")

    def _open(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=30)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        return db

    def _connect(self) -> sqlite3.Connection:
        """This thread's connection (closed with the ledger object)."""
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            db = self._local.db = self._open()
        return db

    def last(self, url: str) -> dict[str, object] | None:
        cursor = self._connect().execute(
            "SELECT * FROM fetches WHERE url=? AND sha256 IS NOT NULL ORDER BY rowid DESC LIMIT 1", (url,)
        )
        row = cursor.fetchone()
        return dict(zip([c[0] for c in cursor.description], row, strict=True)) if row else None

    def first_seen(self, url: str, sha: str) -> datetime | None:
        db = self._connect()
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
        content_type: str | None = None,
    ) -> datetime:
        now = datetime.now(UTC)
        with self._connect() as db:  # one transaction, committed
            db.execute(
                f"INSERT INTO fetches ({','.join(self.COLUMNS)}) VALUES ({','.join('?' * len(self.COLUMNS))})",
                (url, status, etag, last_modified, size, sha, now.isoformat(), int(downloaded), content_type),
            )
        return now

    def downloads(self) -> int:
        return self._connect().execute("SELECT COUNT(*) FROM fetches WHERE downloaded=1").fetchone()[0]
