"""Office documents are ZIP packages (ODF, OOXML): opened with the archive reader's limits -- a zip bomb is
refused before anything is inflated -- and their XML parts parsed without entities, DTDs or the network."""

from __future__ import annotations

import io
import zipfile

from lxml import etree

from pipeline.readers.archive import MAX_RATIO

MAX_PARTS = 10_000  # entries in one package
MAX_PACKAGE_BYTES = 512 * 1024**2  # uncompressed, all parts together
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


class PackageError(ValueError):
    """A package refused or unreadable; `reason` is the rejection reason."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason


def open_package(data: bytes, max_bytes: int = MAX_PACKAGE_BYTES) -> zipfile.ZipFile:
    """The package, after checking its directory: part count, total size and each part's compression ratio."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError) as exc:
        raise PackageError("unreadable_document", f"not a readable package: {exc}") from exc
    infos = zf.infolist()
    if len(infos) > MAX_PARTS:
        raise PackageError("unsafe_document", f"{len(infos)} parts > {MAX_PARTS}")
    total = sum(i.file_size for i in infos)
    if total > max_bytes:
        raise PackageError("unsafe_document", f"parts inflate to {total:,} bytes > {max_bytes:,}")
    for info in infos:
        if info.compress_size and info.file_size / info.compress_size > MAX_RATIO:
            ratio = info.file_size / info.compress_size
            raise PackageError("unsafe_document", f"part {info.filename}: compression ratio {ratio:.0f} > {MAX_RATIO}")
    return zf


def read_xml_part(zf: zipfile.ZipFile, name: str) -> etree._Element | None:
    """A part parsed safely, or None when the package has no such part."""
    try:
        raw = zf.read(name)
    except KeyError:
        return None
    except (zipfile.BadZipFile, OSError, RuntimeError, EOFError) as exc:
        raise PackageError("unreadable_document", f"part {name}: {exc}") from exc
    try:
        return etree.fromstring(raw, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise PackageError("unreadable_document", f"part {name}: {exc}") from exc
