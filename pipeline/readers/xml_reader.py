"""Streaming XML records (e.g. the Executive Yuan Gazette's <Record> elements), parsed safely.

No DTD is loaded, no entity is expanded, nothing is fetched from the network; a document that declares
entities is refused outright, since such declarations are the vehicle of entity-expansion attacks.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator

from lxml import etree

from pipeline.readers.records import Record

_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.S)
_ENTITY_DECL = re.compile(r"<!ENTITY", re.I)


class UnsafeXml(ValueError):
    """The XML declares entities or a DTD subset; it is not parsed."""


def _element_text(el: etree._Element) -> str:
    return "".join(el.itertext())


def read_xml(text: str, record_tag: str | None = None) -> Iterator[Record]:
    """Yield one record per `record_tag` element (default: each child of the root), fields = child texts."""
    head = text[:4096]
    if _ENTITY_DECL.search(head) or ("<!DOCTYPE" in head and "[" in head.split("<!DOCTYPE", 1)[1].split(">", 1)[0]):
        raise UnsafeXml("XML declares entities or an internal DTD subset; refused")
    # The text is already decoded; re-encode as UTF-8 and say so, whatever the original declaration said.
    data = _DECLARATION.sub('<?xml version="1.0" encoding="UTF-8"?>', text, count=1).encode("utf-8")
    events = etree.iterparse(
        io.BytesIO(data),
        events=("start", "end"),
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
    )
    depth = 0
    count = 0
    for event, el in events:
        if event == "start":
            depth += 1
            continue
        depth -= 1
        is_record = el.tag == record_tag if record_tag else depth == 1
        if not is_record:
            continue
        fields = {child.tag: _element_text(child) for child in el if isinstance(child.tag, str)}
        if not fields:
            fields = {el.tag: _element_text(el)}
        yield Record(f"{el.tag}[{count}]", fields)
        count += 1
        el.clear()
