"""A resource's bytes -> Documents: size limit, ZIP members, decoding, the source's records, one row for a file
that fails as a whole."""

from __future__ import annotations

import zipfile

from lxml import etree

from pipeline.config import LoadedConfig
from pipeline.document import Document
from pipeline.extract.builder import Builder
from pipeline.fetch import local_path
from pipeline.readers import DOCUMENT_READERS, FORMAT_OF_EXTENSION
from pipeline.readers.archive import is_zip, iter_members
from pipeline.readers.encoding import DecodeFailure, decode_bytes
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


def _decode_and_map(
    cfg: LoadedConfig, builder: Builder, data: bytes, prefix: str = "", resource: Resource | None = None
) -> list[Document]:
    """Decode one file's bytes (a document's are read as they are) and map its records; a file that fails as a
    whole becomes one rejected row."""
    resource = resource or builder.resource
    fmt, problem = _format_of(resource, data, prefix.rstrip("!") or resource.url)
    if problem:
        reason = "format_mismatch" if fmt in DOCUMENT_READERS else "unsupported_format"
        return [builder.whole_resource(reason, problem, prefix)]
    if fmt != resource.format:
        resource = resource.model_copy(update={"format": fmt})
    content: str | bytes
    if fmt in DOCUMENT_READERS:
        content = data
        builder.encodings.append(fmt)
    else:
        try:
            decoded = decode_bytes(data, resource.encoding_hint)
        except DecodeFailure as exc:
            return [builder.whole_resource(exc.reason, exc.detail, prefix)]
        builder.encodings.append(decoded.encoding)
        if not decoded.text.strip():
            return [builder.whole_resource("empty_resource", "the file holds no text", prefix)]
        content = decoded.text
    docs: list[Document] = []
    try:
        for item in drafts(cfg, resource, content):
            docs.append(
                builder.from_bad(item, prefix) if isinstance(item, BadRecord) else builder.from_draft(item, prefix)
            )
    except (ValueError, KeyError, TypeError, RecursionError, etree.XMLSyntaxError) as exc:
        # The file as a whole is unreadable (e.g. truncated JSON): one row names it, nothing half-kept.
        return [builder.whole_resource("unreadable_resource", f"{type(exc).__name__}: {exc}", prefix)]
    except Exception as exc:  # a hostile document must not stop the run
        if fmt not in DOCUMENT_READERS:
            raise
        return [builder.whole_resource("unreadable_document", f"{type(exc).__name__}: {exc}", prefix)]
    return docs or [builder.whole_resource("empty_resource", "the file holds no records", prefix)]


def read_resource(cfg: LoadedConfig, builder: Builder) -> list[Document]:
    resource, fetched = builder.resource, builder.fetched
    if resource.format == "unavailable":
        return [builder.whole_resource("resource_unavailable", str(resource.options.get("error")))]
    if fetched.error or fetched.path is None:
        return [builder.whole_resource("fetch_failed", fetched.error or "no bytes")]
    limit = cfg.corpus.max_resource_bytes
    path = local_path(fetched.path)
    size = path.stat().st_size
    if size > limit:  # a file is extracted in memory (several times its size): refuse, naming the setting
        return [builder.whole_resource("too_large", f"{size:,} bytes > max_resource_bytes {limit:,}")]
    data = path.read_bytes()
    if not is_zip(data) or sniff(data) is not None:  # ODF and OOXML documents are ZIP packages, not archives
        return _decode_and_map(cfg, builder, data)
    docs: list[Document] = []
    try:
        for member in iter_members(data, str(resource.options.get("members") or "*"), max_bytes=limit):
            prefix = f"{member.name}!"
            if member.data is None:
                docs.append(builder.whole_resource(member.reason, str(member.error), prefix))
            elif resource.format not in ("zip", "auto"):
                docs.extend(_decode_and_map(cfg, builder, member.data, prefix))
            else:  # an archive of unknown content: each member is read by its content, else its extension
                as_member = resource.model_copy(update={"format": "auto"})
                docs.extend(_decode_and_map(cfg, builder, member.data, prefix, as_member))
    except zipfile.BadZipFile as exc:
        return [builder.whole_resource("unreadable_resource", f"bad ZIP archive: {exc}")]
    if not docs:
        return [builder.whole_resource("empty_archive", f"no member matches {resource.options.get('members')!r}")]
    return docs
