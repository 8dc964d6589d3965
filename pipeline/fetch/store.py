"""The content-addressed raw store: downloads enter it whole, under their sha256, or not at all."""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
from pathlib import Path
from typing import IO

from pipeline.atomic import sha256_file
from pipeline.fetch.types import FetchError


class Incoming:
    """A download in progress: a temp file in the store, hashed as it is written; renamed in whole or removed."""

    HEAD = 512

    def __init__(self, root: Path) -> None:
        root.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=root, prefix=".tmp-")
        self.path = Path(name)
        self._fh: IO[bytes] = os.fdopen(fd, "wb")
        self._hash = hashlib.sha256()
        self.size = 0
        self.head = b""

    def write(self, chunk: bytes) -> None:
        self._fh.write(chunk)
        self._hash.update(chunk)
        self.size += len(chunk)
        if len(self.head) < self.HEAD:
            self.head += chunk[: self.HEAD - len(self.head)]

    def finish(self) -> str:
        self._fh.close()
        return self._hash.hexdigest()

    def discard(self) -> None:
        self._fh.close()
        self.path.unlink(missing_ok=True)


class RawStore:
    """Files named by their sha256 under raw/<2 hex>/<sha256>; a download enters as a complete temp file, renamed."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path_for(self, sha: str) -> Path:
        return self.root / sha[:2] / sha

    def incoming(self) -> Incoming:
        return Incoming(self.root)

    def sweep(self, older_than_s: float) -> int:
        """Remove temp files of downloads abandoned by a killed run (not written to for `older_than_s`: longer
        than any download may last, so a live one is never touched). Returns how many were removed."""
        if not self.root.exists():
            return 0
        cutoff = time.time() - older_than_s
        removed = 0
        for tmp in [*self.root.glob(".tmp-*"), *self.root.glob("*/.tmp-*")]:
            try:
                if tmp.stat().st_mtime < cutoff:
                    tmp.unlink()
                    removed += 1
            except FileNotFoundError:
                continue
        return removed

    def adopt(self, incoming: Incoming) -> tuple[str, Path]:
        """Move a complete download into place under its hash, after checking the file on disk hashes the same
        as the bytes received; the temp file is gone afterwards either way."""
        try:
            sha = incoming.finish()
            if sha256_file(incoming.path) != sha:
                raise FetchError(f"{incoming.path}: the bytes on disk differ from the bytes received")
            dest = self.path_for(sha)
            dest.parent.mkdir(parents=True, exist_ok=True)
            if not dest.exists():
                os.replace(incoming.path, dest)
            return sha, dest
        finally:
            incoming.discard()
