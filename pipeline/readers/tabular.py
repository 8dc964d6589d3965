"""CSV reader: BOM and CRLF tolerant, quoted multi-line fields, ragged rows reported rather than dropped."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from pipeline.readers.records import BadRecord, Record

csv.field_size_limit(2**31 - 1)  # a huge cell is a record to reject as too long, not a reader crash


def read_csv(text: str) -> Iterator[Record | BadRecord]:
    text = text.removeprefix("\ufeff")
    try:
        dialect = csv.Sniffer().sniff(text[:8192], delimiters=",;\t|")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: list[str] | None = None
    line = 1
    last: tuple[int, Record | BadRecord] | None = None  # held back: only the last row can be an unclosed quote
    for row in _rows(reader):
        if isinstance(row, csv.Error):
            if last is not None:
                yield last[1]
            rest = _from_line(text, line)
            detail = f"{row}; the file is not read past line {line}"
            yield BadRecord(f"line:{line}", "malformed_csv", detail, raw=rest[:10_000])
            return
        line, next_line = line, reader.line_num + 1  # a quoted cell may span lines: locate the row's first
        if header is None:
            line = next_line
            header = [h.strip() for h in row]
            continue
        if not any(cell.strip() for cell in row):
            line = next_line
            continue  # blank line: not a record
        if last is not None:
            yield last[1]
        if len(row) != len(header):
            last = (
                line,
                BadRecord(
                    f"line:{line}", "ragged_row", f"{len(row)} cells, header has {len(header)}", raw=delimiter.join(row)
                ),
            )
        else:
            last = line, Record(f"line:{line}", dict(zip(header, row, strict=True)))
        line = next_line
    if last is not None:
        yield _unclosed_quote(text, *last)


def _from_line(text: str, line: int) -> str:
    """The text from line `line` (1-based) on, counting lines as the csv reader does (\\n, \\r\\n or \\r)."""
    return "".join(io.StringIO(text, newline="").readlines()[line - 1 :])


def _rows(reader: Iterator[list[str]]) -> Iterator[list[str] | csv.Error]:
    """The reader's rows, then the csv.Error that stops it, if any (as a value, so the caller can report it)."""
    try:
        yield from reader
    except csv.Error as exc:
        yield exc


def _unclosed_quote(text: str, line: int, row: Record | BadRecord) -> Record | BadRecord:
    """The last row, or a bad record when a quote opened in it is never closed: the lenient reader would
    otherwise return the rest of the file as one cell (an odd number of quotes from the row's first line)."""
    rest = _from_line(text, line)
    if rest.count('"') % 2 == 0:
        return row
    lines = rest.count("\n") + (not rest.endswith("\n"))
    return BadRecord(
        f"line:{line}",
        "unbalanced_quote",
        f"a quote opened on line {line} is never closed; the {lines} line(s) from there are not read as records",
        raw=rest[:10_000],
    )
