"""What a file is, from its first bytes and its ZIP directory: the extension and the declared format of a
data.gov.tw distribution are often wrong (a .xls that is HTML, an ODT declared as ZIP)."""

from __future__ import annotations

import io
import zipfile

ODF_MIMETYPES = {
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
    "application/vnd.oasis.opendocument.presentation": "odp",
}
OOXML_PARTS = {"word/document.xml": "docx", "xl/workbook.xml": "xlsx", "ppt/presentation.xml": "pptx"}
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .doc / .xls / .ppt (Compound File Binary)
DOCUMENT_FORMATS = {"pdf", "odt", "odp", "docx", "doc", "ods", "xlsx", "xls", "pptx"}  # read from bytes


def sniff(data: bytes) -> str | None:
    """The document format of `data` (pdf, odt, ods, odp, docx, xlsx, pptx, ole2), or None when the bytes are
    not a document format: text (CSV, JSON, XML, HTML) or a plain ZIP archive."""
    head = data[:1024]
    if head.lstrip(b"\x00\t\r\n \xef\xbb\xbf")[:5] == b"%PDF-":
        return "pdf"
    if head.startswith(OLE2_MAGIC):
        return "ole2"
    if not head.startswith(b"PK\x03\x04"):
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            return package_format(zf)
    except (zipfile.BadZipFile, OSError, KeyError, RuntimeError):
        return None


def package_format(zf: zipfile.ZipFile) -> str | None:
    """The document format an open ZIP package is (odt, ods, odp, docx, xlsx, pptx), or None: a plain archive.
    Raises what reading its `mimetype` member may raise (KeyError, RuntimeError, zipfile.BadZipFile, OSError)."""
    names = set(zf.namelist())
    if "mimetype" in names:
        mimetype = zf.read("mimetype")[:100].decode("ascii", "replace").strip()
        if mimetype in ODF_MIMETYPES:
            return ODF_MIMETYPES[mimetype]
    if "[Content_Types].xml" in names:
        return next((fmt for part, fmt in OOXML_PARTS.items() if part in names), None)
    return None


def ole2_kind(data: bytes) -> str:
    """Which legacy Office format an OLE2 file holds (doc, xls, ppt), by the stream names it carries."""
    if b"W\x00o\x00r\x00d\x00D\x00o\x00c\x00u\x00m\x00e\x00n\x00t" in data:
        return "doc"
    if b"W\x00o\x00r\x00k\x00b\x00o\x00o\x00k" in data or b"B\x00o\x00o\x00k" in data:
        return "xls"
    if b"P\x00o\x00w\x00e\x00r\x00P\x00o\x00i\x00n\x00t" in data:
        return "ppt"
    return "ole2"
