"""Spreadsheets (ODS, XLSX, XLS) -> records like CSV's: on each sheet (or the named ones) the first non-empty
row is the header, every later non-empty row a record. Read by calamine (python-calamine, Rust): no formula
is evaluated, no macro run; the ZIP-based formats are checked as packages first (`package.open_package`)."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator

import python_calamine as calamine

from pipeline.readers.archive import is_zip
from pipeline.readers.package import PackageError, open_package
from pipeline.readers.records import BadRecord, Record

MAX_CELLS = 5_000_000  # per sheet: a sheet claiming more is refused before it is read


def read_spreadsheet(data: bytes, sheets: list[str] | None = None) -> Iterator[Record | BadRecord]:
    """Records of every sheet (or of `sheets`), located sheet:NAME!row:N (N counted from 1 as in the sheet)."""
    try:
        if is_zip(data):  # ODS, XLSX: packages
            open_package(data)
        book = calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except PackageError as exc:
        yield BadRecord("$", exc.reason, str(exc))
        return
    except calamine.PasswordError:
        yield BadRecord("$", "encrypted", "the workbook needs a password to open")
        return
    except (calamine.CalamineError, ValueError, OSError) as exc:
        yield BadRecord("$", "unreadable_document", f"not a readable spreadsheet: {exc}")
        return
    names = book.sheet_names
    missing = [s for s in sheets or [] if s not in names]
    for name in missing:
        yield BadRecord(f"sheet:{name}", "missing_sheet", f"no sheet {name!r} (sheets: {', '.join(names)})")
    for name in [s for s in names if not sheets or s in sheets]:
        yield from _sheet(book, name)


def _sheet(book: calamine.CalamineWorkbook, name: str) -> Iterator[Record | BadRecord]:
    try:
        sheet = book.get_sheet_by_name(name)
        if sheet.total_height * sheet.total_width > MAX_CELLS:
            size = f"{sheet.total_height} x {sheet.total_width}"
            yield BadRecord(f"sheet:{name}", "too_large", f"{size} cells > {MAX_CELLS:,}")
            return
        rows = sheet.to_python(skip_empty_area=False)
    except (calamine.CalamineError, ValueError) as exc:
        yield BadRecord(f"sheet:{name}", "unreadable_document", f"sheet {name!r}: {exc}")
        return
    header: list[str] | None = None
    for n, row in enumerate(rows, start=1):
        cells = [_cell(v) for v in row]
        if not any(c.strip() for c in cells):
            continue
        if header is None:
            header = [c.strip() or f"column{k + 1}" for k, c in enumerate(cells)]
            continue
        while len(cells) < len(header):
            cells.append("")
        if any(c.strip() for c in cells[len(header) :]):
            detail = f"{len(cells)} cells, header has {len(header)}"
            yield BadRecord(f"sheet:{name}!row:{n}", "ragged_row", detail, raw="\t".join(cells))
            continue
        yield Record(f"sheet:{name}!row:{n}", dict(zip(header, cells[: len(header)], strict=True)))


def _cell(value: object) -> str:
    """A cell as text: whole numbers without '.0', dates in ISO form."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    return str(value)
