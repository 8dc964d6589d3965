"""One big file extracted by every worker at once: the resource is read by each part (whole, or a JSON Lines or CSV
file a line at a time), and each part builds the documents of its own share of the records (blocks of BLOCK
records, dealt in turn) or, for a ZIP, of its own members, which it alone decompresses.

Reading and parsing are a few percent of extraction; normalising, counting and signing are the rest, and those
are what the parts divide. Every part sees the same records in the same order, so the merge (rows sorted by the
record or member they came from) gives the unsplit file's rows, ids and order exactly, whatever the format and
the reader -- no byte-range cutting to get wrong on quoted multi-line CSV cells, JSON arrays or Big5 bytes.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from typing import Literal

from pipeline.config import LoadedConfig
from pipeline.fetch import FetchedRef, local_path
from pipeline.readers import DOCUMENT_READERS, STREAMED
from pipeline.readers.archive import ZIP_MAGIC
from pipeline.readers.sniff import package_format, sniff
from pipeline.sources import Resource

BLOCK = 64  # records dealt to a part at a time: small enough to even out records of uneven length
WHOLE = -1  # the unit of a row that stands for the whole resource (it failed as a whole): every part has it

Mode = Literal["records", "members"]


@dataclass(frozen=True)
class Share:
    """Which units (records, or archive members) of a resource one part builds."""

    part: int
    parts: int
    mode: Mode

    def owns(self, unit: int) -> bool:
        block = BLOCK if self.mode == "records" else 1
        return (unit // block) % self.parts == self.part


def plan_split(cfg: LoadedConfig, resource: Resource, fetched: FetchedRef, workers: int) -> Share | None:
    """How to divide this resource among `workers` parts -- a Share of part 0 naming the mode and the number of
    parts -- or None: one part does it all (small, not local, a document, an archive of one member)."""
    least = cfg.corpus.split_bytes
    if workers < 2 or not least or fetched.error or fetched.path is None or resource.format == "unavailable":
        return None
    if resource.format in DOCUMENT_READERS:  # one record: nothing to divide
        return None
    path = local_path(fetched.path)
    try:
        size = path.stat().st_size
        limit = cfg.corpus.max_streamed_bytes if resource.format in STREAMED else cfg.corpus.max_resource_bytes
        if size < least or size > limit:
            return None
        with path.open("rb") as fh:
            head = fh.read(1024)
        if not head.startswith(ZIP_MAGIC):  # a PDF or a legacy Office file, whatever it was declared as, is one
            return None if sniff(head) is not None else Share(0, workers, "records")
        with zipfile.ZipFile(path) as zf:
            if package_format(zf) is not None:  # an ODF or OOXML document, read as a whole, as read.py does
                return None
            members = sum(1 for info in zf.infolist() if not info.is_dir())
    except (OSError, KeyError, RuntimeError, zipfile.BadZipFile):
        return None  # the unsplit extraction names what is wrong with the file
    if members < 2:
        return None
    return Share(0, min(workers, members), "members")
