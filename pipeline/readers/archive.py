"""ZIP members read in memory, safely: no path escaping, and limits on size and compression ratio."""

from __future__ import annotations

import fnmatch
import io
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass

ZIP_MAGIC = b"PK\x03\x04"
MAX_MEMBER_BYTES = 2 * 1024**3
MAX_RATIO = 200  # uncompressed / compressed: beyond this a member is treated as a zip bomb


@dataclass(frozen=True)
class Member:
    name: str
    data: bytes | None
    error: str | None = None  # why the member was not read
    reason: str = "unsafe_archive_member"  # or unreadable_archive_member: damaged, encrypted, unknown method
    index: int = 0  # its place among the members matching the pattern
    skipped: bool = False  # not selected: neither read nor checked


def is_zip(data: bytes) -> bool:
    return data[:4] == ZIP_MAGIC


def _unsafe_name(name: str) -> bool:
    parts = name.replace("\\", "/").split("/")
    return name.startswith(("/", "\\")) or ".." in parts or (len(name) > 1 and name[1] == ":")


def iter_members(
    data: bytes,
    pattern: str = "*",
    *,
    max_bytes: int = MAX_MEMBER_BYTES,
    max_ratio: float = MAX_RATIO,
    select: Callable[[int], bool] | None = None,
) -> Iterator[Member]:
    """Members whose name matches `pattern`, in archive order; unsafe ones come back with `error` set, and those
    `select` (given a member's index) declines come back `skipped`, unread."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        matching = (
            info
            for info in zf.infolist()
            if not info.is_dir() and fnmatch.fnmatch(info.filename.rsplit("/", 1)[-1], pattern)
        )
        for index, info in enumerate(matching):
            name = info.filename
            if select is not None and not select(index):
                yield Member(name, None, index=index, skipped=True)
            elif _unsafe_name(name):
                yield Member(name, None, "member path escapes the archive", index=index)
            elif info.file_size > max_bytes:
                yield Member(name, None, f"member is {info.file_size} bytes, limit {max_bytes}", index=index)
            elif info.compress_size and info.file_size / info.compress_size > max_ratio:
                ratio = info.file_size / info.compress_size
                yield Member(name, None, f"compression ratio {ratio:.0f} > {max_ratio}", index=index)
            else:
                try:
                    with zf.open(info) as fh:
                        body = fh.read(max_bytes + 1)
                except (RuntimeError, NotImplementedError, zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
                    yield Member(name, None, f"cannot be read: {exc}", "unreadable_archive_member", index)
                    continue
                if len(body) > max_bytes:
                    yield Member(name, None, f"member grew past {max_bytes} bytes", index=index)
                else:
                    yield Member(name, body, index=index)
