"""A resource's bytes -> Documents: size limit, ZIP members, decoding, the source's records, one row for a file
that fails as a whole. A JSON Lines or CSV file (readers.STREAMED) is read from the file a line at a time once its
codec is known, never held whole; any other file is read into memory and decoded whole.

Each row comes with its unit: the index of the record (or, in an archive, of the member) it came from, or WHOLE
for a row standing for the whole file. A part of a split extraction (split.py) builds only its share of the
units, and the merge puts the parts' rows back in unit order."""

from __future__ import annotations

import zipfile
from pathlib import Path

from lxml import etree

from pipeline.config import LoadedConfig
from pipeline.document import Document
from pipeline.extract.builder import Builder
from pipeline.extract.split import WHOLE, Mode, Share
from pipeline.fetch import local_path
from pipeline.readers import DOCUMENT_READERS, FORMAT_OF_EXTENSION, STREAMED, Content
from pipeline.readers.archive import ZIP_MAGIC, is_zip, iter_members
from pipeline.readers.encoding import DecodeFailure, decode_bytes, streamed_codec
from pipeline.readers.records import BadRecord
from pipeline.readers.sniff import ole2_kind, sniff
from pipeline.sources import Resource, drafts


def _format_of(resource: Resource, data: bytes, name: str) -> tuple[str, str | None]:
    """The format to read `data` in -- its content first (a PDF is a PDF whatever it is declared as), then the
    declared format, then (`format: auto`) the file's extension -- and why it cannot be read, if so."""
    sniffed = sniff(data)
    if sniffed == "ole2":
        sniffed = ole2_kind(data)
    if sniffed is not None:
        return sniffed, None
    declared = resource.format
    if declared in DOCUMENT_READERS:
        return declared, f"declared {declared}, but the bytes are not a {declared.upper()} file"
    if declared == "auto":
        ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
        fmt = FORMAT_OF_EXTENSION.get(ext)
        if fmt is None or fmt in DOCUMENT_READERS:
            return "auto", f"format not recognised from the content or the extension .{ext or '(none)'}"
        return fmt, None
    return declared, None


Row = tuple[int, Document]  # (unit, row)


def _decode_and_map(
    cfg: LoadedConfig,
    builder: Builder,
    data: bytes,
    prefix: str = "",
    resource: Resource | None = None,
    share: Share | None = None,
) -> list[Row]:
    """Decode one file's bytes (a document's are read as they are) and map its records -- those `share` owns,
    when given; a file that fails as a whole becomes one rejected row."""
    found = _decoded(builder, data, prefix, resource or builder.resource)
    if isinstance(found, Document):
        return [(WHOLE, found)]
    return _mapped(cfg, builder, *found, prefix, share)


def _decoded(builder: Builder, data: bytes, prefix: str, resource: Resource) -> tuple[Resource, str | bytes] | Document:
    """The resource as the format found for one file's bytes, and their text (a document's bytes as they are) --
    or the one rejected row of a file that fails as a whole."""
    fmt, problem = _format_of(resource, data, prefix.rstrip("!") or resource.url)
    if problem:
        reason = "format_mismatch" if fmt in DOCUMENT_READERS else "unsupported_format"
        return builder.whole_resource(reason, problem, prefix)
    if fmt != resource.format:
        resource = resource.model_copy(update={"format": fmt})
    if fmt in DOCUMENT_READERS:
        builder.decoded(fmt)
        return resource, data
    try:
        decoded = decode_bytes(data, resource.encoding_hint)
    except DecodeFailure as exc:
        return builder.whole_resource(exc.reason, exc.detail, prefix)
    builder.decoded(decoded.encoding)
    if not decoded.text or decoded.text.isspace():  # not .strip(): that copies the whole text
        return builder.whole_resource("empty_resource", "the file holds no text", prefix)
    return resource, decoded.text


def _mapped(
    cfg: LoadedConfig, builder: Builder, resource: Resource, content: Content, prefix: str, share: Share | None
) -> list[Row]:
    """The rows of a decoded file's records (those `share` owns, when given); a file whose records cannot be read
    to the end becomes one rejected row, nothing of it half-kept."""
    rows: list[Row] = []
    seen = 0
    fmt = resource.format
    try:
        for unit, item in enumerate(drafts(cfg, resource, content)):
            seen += 1
            if share is not None and not share.owns(unit):
                continue
            doc = builder.from_bad(item, prefix) if isinstance(item, BadRecord) else builder.from_draft(item, prefix)
            rows.append((unit, doc))
    except (ValueError, KeyError, TypeError, RecursionError, etree.XMLSyntaxError) as exc:
        # The file as a whole is unreadable (e.g. truncated JSON): one row names it, nothing half-kept.
        return [(WHOLE, builder.whole_resource("unreadable_resource", f"{type(exc).__name__}: {exc}", prefix))]
    except Exception as exc:  # a hostile document must not stop the run
        if fmt not in DOCUMENT_READERS:
            raise
        return [(WHOLE, builder.whole_resource("unreadable_document", f"{type(exc).__name__}: {exc}", prefix))]
    if not seen:
        return [(WHOLE, builder.whole_resource("empty_resource", "the file holds no records", prefix))]
    return rows


def _as_planned(share: Share | None, mode: Mode) -> tuple[bool, Share | None]:
    """Whether this part reads the file, and the share of it it builds. A file that is not what the plan saw
    (records where it saw members, or the other way round) is read all by part 0, not at all by the others."""
    if share is None or share.mode == mode:
        return True, share
    return share.part == 0, None


def _text_file(path: Path) -> bool:
    """The file begins as text does: not an archive, not a document (PDF, Office)."""
    with path.open("rb") as fh:
        head = fh.read(1024)
    return not head.startswith(ZIP_MAGIC) and sniff(head) is None


def read_resource(cfg: LoadedConfig, builder: Builder) -> list[Row]:
    """The resource's rows with their units: all of them, or the share of `builder.share`."""
    resource, fetched, share = builder.resource, builder.fetched, builder.share
    if resource.format == "unavailable":
        return [(WHOLE, builder.whole_resource("resource_unavailable", str(resource.options.get("error"))))]
    if fetched.error or fetched.path is None:
        return [(WHOLE, builder.whole_resource("fetch_failed", fetched.error or "no bytes"))]
    path = local_path(fetched.path)
    size = path.stat().st_size
    if resource.format in STREAMED and _text_file(path):
        limit = cfg.corpus.max_streamed_bytes
        if size > limit:  # read a line at a time, but its documents are held
            return [(WHOLE, builder.whole_resource("too_large", f"{size:,} bytes > max_streamed_bytes {limit:,}"))]
        codec = streamed_codec(path, resource.encoding_hint)
        if codec is not None:
            reads, share = _as_planned(share, "records")
            if not reads:
                return []
            builder.decoded(codec)
            with path.open(encoding=codec, newline="") as text:
                return _mapped(cfg, builder, resource, text, "", share)
    limit = cfg.corpus.max_resource_bytes
    if size > limit:  # a file is extracted in memory (several times its size): refuse, naming the setting
        return [(WHOLE, builder.whole_resource("too_large", f"{size:,} bytes > max_resource_bytes {limit:,}"))]
    data = path.read_bytes()
    archive = is_zip(data) and sniff(data) is None  # ODF and OOXML documents are ZIP packages, not archives
    reads, share = _as_planned(share, "members" if archive else "records")
    if not reads:
        return []
    if not archive:
        found = _decoded(builder, data, "", resource)
        del data  # a big file's bytes go once decoded: its records are read from the text
        if isinstance(found, Document):
            return [(WHOLE, found)]
        return _mapped(cfg, builder, *found, "", share)
    rows: list[Row] = []
    matched = 0
    select = share.owns if share is not None else None
    try:
        for member in iter_members(data, str(resource.options.get("members") or "*"), max_bytes=limit, select=select):
            matched += 1
            if member.skipped:
                continue
            builder.decoded(None)  # a member's rows name its own decoder, not the last member's
            prefix = f"{member.name}!"
            if member.data is None:
                docs = [builder.whole_resource(member.reason, str(member.error), prefix)]
            elif resource.format not in ("zip", "auto"):
                docs = [doc for _, doc in _decode_and_map(cfg, builder, member.data, prefix)]
            else:  # an archive of unknown content: each member is read by its content, else its extension
                as_member = resource.model_copy(update={"format": "auto"})
                docs = [doc for _, doc in _decode_and_map(cfg, builder, member.data, prefix, as_member)]
            rows.extend((member.index, doc) for doc in docs)
    except zipfile.BadZipFile as exc:
        return [(WHOLE, builder.whole_resource("unreadable_resource", f"bad ZIP archive: {exc}"))]
    if not matched:
        members = resource.options.get("members")
        return [(WHOLE, builder.whole_resource("empty_archive", f"no member matches {members!r}"))]
    return rows
