"""CSV reader: BOM and CRLF tolerant, quoted multi-line fields, ragged rows reported rather than dropped."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice
from typing import IO

from pipeline.readers.records import BadRecord, Record, stream_lines

csv.field_size_limit(2**31 - 1)  # a huge cell is a record to reject as too long, not a reader crash


SNIFF_CHARS = 8192  # characters the delimiter is guessed from


def read_csv(text: str | IO[str]) -> Iterator[Record | BadRecord]:
    """Records of a CSV: a decoded text, or a seekable text stream opened with newline="" (a big file read a
    line at a time)."""
    source = io.StringIO(text, newline="") if isinstance(text, str) else text
    head = source.read(SNIFF_CHARS + 1)
    head = head.removeprefix("\ufeff")[:SNIFF_CHARS]
    try:
        dialect = csv.Sniffer().sniff(head, delimiters=",;\t|")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    reader = csv.reader(stream_lines(source), delimiter=delimiter)
    header: list[str] | None = None
    line = 1
    last: tuple[int, Record | BadRecord] | None = None  # held back: only the last row can be an unclosed quote
    for row in _rows(reader):
        if isinstance(row, csv.Error):
            if last is not None:
                yield last[1]
            detail = f"{row}; the file is not read past line {line}"
            yield BadRecord(f"line:{line}", "malformed_csv", detail, raw=_rest(source, line).head)
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
        yield _unclosed_quote(source, *last)


@dataclass
class _Rest:
    """The text from one line on, as far as a report needs it: its beginning, and its quotes and lines counted."""

    head: str
    quotes: int
    lines: int


RAW_CHARS = 10_000  # characters of the rest of a file kept in a bad record


def _rest(source: IO[str], line: int) -> _Rest:
    """The text from line `line` (1-based) on, counting lines as the csv reader does (\\n, \\r\\n or \\r), read
    a line at a time."""
    head: list[str] = []
    kept = quotes = lines = 0
    last = ""
    for last in islice(stream_lines(source), line - 1, None):
        if kept < RAW_CHARS:
            head.append(last)
            kept += len(last)
        quotes += last.count('"')
        lines += last.count("\n")
    lines += not last.endswith("\n")
    return _Rest("".join(head)[:RAW_CHARS], quotes, lines)


def _rows(reader: Iterator[list[str]]) -> Iterator[list[str] | csv.Error]:
    """The reader's rows, then the csv.Error that stops it, if any (as a value, so the caller can report it)."""
    try:
        yield from reader
    except csv.Error as exc:
        yield exc


def _unclosed_quote(source: IO[str], line: int, row: Record | BadRecord) -> Record | BadRecord:
    """The last row, or a bad record when a quote opened in it is never closed: the lenient reader would
    otherwise return the rest of the file as one cell (an odd number of quotes from the row's first line)."""
    rest = _rest(source, line)
    if rest.quotes % 2 == 0:
        return row
    return BadRecord(
        f"line:{line}",
        "unbalanced_quote",
        f"a quote opened on line {line} is never closed; the {rest.lines} line(s) from there are not read as records",
        raw=rest.head,
    )
