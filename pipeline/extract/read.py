"""A resource's bytes -> Documents: size limit, ZIP members, decoding, the source's records, one row for a file
that fails as a whole."""

from __future__ import annotations

import zipfile

from lxml import etree

from pipeline.config import LoadedConfig
from pipeline.document import Document
from pipeline.extract.builder import Builder
from pipeline.fetch import local_path
from pipeline.readers import FORMAT_OF_EXTENSION
from pipeline.readers.archive import is_zip, iter_members
from pipeline.readers.encoding import DecodeFailure, decode_bytes
from pipeline.readers.records import BadRecord
from pipeline.sources import Resource, drafts


def _decode_and_map(
    cfg: LoadedConfig, builder: Builder, data: bytes, prefix: str = "", resource: Resource | None = None
) -> list[Document]:
    """Decode one file's bytes and map its records; a file that fails as a whole becomes one rejected row."""
    resource = resource or builder.resource
    try:
        decoded = decode_bytes(data, resource.encoding_hint)
    except DecodeFailure as exc:
        return [builder.whole_resource(exc.reason, exc.detail, prefix)]
    builder.encodings.append(decoded.encoding)
    docs: list[Document] = []
    if not decoded.text.strip():
        return [builder.whole_resource("empty_resource", "the file holds no text", prefix)]
    try:
        for item in drafts(cfg, resource, decoded.text):
            docs.append(
                builder.from_bad(item, prefix) if isinstance(item, BadRecord) else builder.from_draft(item, prefix)
            )
    except (ValueError, KeyError, TypeError, RecursionError, etree.XMLSyntaxError) as exc:
        # The file as a whole is unreadable (e.g. truncated JSON): one row names it, nothing half-kept.
        return [builder.whole_resource("unreadable_resource", f"{type(exc).__name__}: {exc}", prefix)]
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
    if not is_zip(data):
        return _decode_and_map(cfg, builder, data)
    docs: list[Document] = []
    try:
        for member in iter_members(data, str(resource.options.get("members") or "*"), max_bytes=limit):
            prefix = f"{member.name}!"
            if member.data is None:
                docs.append(builder.whole_resource(member.reason, str(member.error), prefix))
            elif resource.format != "zip":
                docs.extend(_decode_and_map(cfg, builder, member.data, prefix))
            else:  # an archive of unknown content: each member is read by its own extension
                ext = member.name.rsplit(".", 1)[-1].lower()
                if ext not in FORMAT_OF_EXTENSION:
                    docs.append(builder.whole_resource("unsupported_format", f"member type .{ext} not read", prefix))
                    continue
                as_member = resource.model_copy(update={"format": FORMAT_OF_EXTENSION[ext]})
                docs.extend(_decode_and_map(cfg, builder, member.data, prefix, as_member))
    except zipfile.BadZipFile as exc:
        return [builder.whole_resource("unreadable_resource", f"bad ZIP archive: {exc}")]
    if not docs:
        return [builder.whole_resource("empty_archive", f"no member matches {resource.options.get('members')!r}")]
    return docs
