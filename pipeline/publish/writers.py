"""Parquet files of a release: shards of at most N rows, partitioned by licence class and source, and the
release tag in every file name."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.atomic import sha256_file
from pipeline.background import Sequential
from pipeline.document import DOCUMENT_SCHEMA

TAG_CHARS = 12


class ShardWriter:
    """Writes rows into numbered shards of at most `rows` rows, in row groups of at most ROW_GROUP rows.

    Small tables are buffered so a folder of many small resources still makes a few large row groups.
    Row groups are encoded and written on the `background` thread (shared by a release's writers, so the
    files are written in the order the rows came). Files are renamed to -of-N names at close, when N is known.
    """

    ROW_GROUP = 10_000

    def __init__(
        self, folder: Path, prefix: str, schema: pa.Schema, rows: int, compression: str, background: Sequential
    ) -> None:
        self.folder, self.prefix, self.schema, self.rows = folder, prefix, schema, rows
        self.background = background
        self.compression = None if compression == "none" else compression
        self.paths: list[Path] = []
        self.counts: list[int] = []
        self._writer: pq.ParquetWriter | None = None
        self._buffer: list[pa.Table] = []
        self._buffered = 0
        folder.mkdir(parents=True, exist_ok=True)

    def write(self, table: pa.Table) -> None:
        if table.num_rows:
            self._buffer.append(table)
            self._buffered += table.num_rows
        if self._buffered >= min(self.ROW_GROUP, self.rows):
            self._flush()

    def _flush(self) -> None:
        if not self._buffered:
            return
        table = pa.concat_tables(self._buffer)
        self._buffer, self._buffered = [], 0
        self.background.submit(self._write, table)

    def _write(self, table: pa.Table) -> None:
        start = 0
        while start < table.num_rows:
            if self._writer is None or self.counts[-1] >= self.rows:
                self._open()
            take = min(self.rows - self.counts[-1], table.num_rows - start)
            assert self._writer is not None
            self._writer.write_table(table.slice(start, take), row_group_size=self.ROW_GROUP)
            self.counts[-1] += take
            start += take

    def _open(self) -> None:
        if self._writer is not None:
            self._writer.close()
        path = self.folder / f"{self.prefix}-{len(self.paths):05d}.parquet"
        self._writer = pq.ParquetWriter(path, self.schema, compression=self.compression)
        self.paths.append(path)
        self.counts.append(0)

    def close(self) -> list[tuple[Path, int]]:
        self._flush()
        self.background.drain()
        if self._writer is not None:
            self._writer.close()
        total = len(self.paths)
        final: list[tuple[Path, int]] = []
        for i, (path, count) in enumerate(zip(self.paths, self.counts, strict=True)):
            dest = path.with_name(f"{self.prefix}-{i:05d}-of-{total:05d}.parquet")
            path.rename(dest)
            final.append((dest, count))
        return final


class PartitionedWriter:
    """Shards under data/<licence class>/<source>/, so the dataset card can declare a config per licence class
    and per source that `load_dataset(folder, name)` reads by path."""

    def __init__(self, folder: Path, rows: int, compression: str, background: Sequential) -> None:
        self.folder, self.rows, self.compression = folder, rows, compression
        self.background = background
        self.writers: dict[tuple[str, str], ShardWriter] = {}

    def write(self, table: pa.Table, license_class: str, source: str) -> None:
        key = (license_class, source)
        if key not in self.writers:
            folder = self.folder / license_class / source
            self.writers[key] = ShardWriter(
                folder, "train", DOCUMENT_SCHEMA, self.rows, self.compression, self.background
            )
        self.writers[key].write(table)

    def close(self) -> list[tuple[Path, int]]:
        return [shard for key in sorted(self.writers) for shard in self.writers[key].close()]


def release_tag(entries: list[tuple[str, str]]) -> str:
    """A short digest of the release's Parquet files (path before tagging, sha256): what changes whenever a byte
    of them does."""
    h = hashlib.sha256()
    for path, sha in sorted(entries):
        h.update(f"{path}\t{sha}\n".encode())
    return h.hexdigest()[:TAG_CHARS]


def tag_files(
    root: Path, shards: list[tuple[Path, int]], rejected: list[tuple[Path, int]]
) -> tuple[str, list[tuple[Path, int]], list[tuple[Path, int]], dict[Path, str]]:
    """Put the release tag into every Parquet file name (`train-<tag>-00000-of-00002.parquet`) and so into the
    card's `data_files` patterns.

    `datasets.load_dataset(<folder>)` keys its cache of a local folder on the folder's base name and the card's
    configs and patterns only -- not on file contents, sizes, times or paths -- so a re-published release, or
    another release in a folder of the same name, would be served from the cache of the first one loaded.
    Patterns that name the tag make every release its own cache entry.
    """
    shas = {p: sha256_file(p) for p, _ in shards + rejected}
    tag = release_tag([(p.relative_to(root).as_posix(), sha) for p, sha in shas.items()])
    tagged: dict[Path, str] = {}

    def renamed(files: list[tuple[Path, int]]) -> list[tuple[Path, int]]:
        out = []
        for path, rows in files:
            prefix, rest = path.name.split("-", 1)
            dest = path.with_name(f"{prefix}-{tag}-{rest}")
            path.rename(dest)
            tagged[dest] = shas[path]
            out.append((dest, rows))
        return out

    return tag, renamed(shards), renamed(rejected), tagged
