"""CSV reader: BOM and CRLF tolerant, quoted multi-line fields, ragged rows reported rather than dropped."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from pipeline.readers.records import BadRecord, Record


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
    for row in reader:
        line, next_line = line, reader.line_num + 1  # a quoted cell may span lines: locate the row's first
        if header is None:
            line = next_line
            header = [h.strip() for h in row]
            continue
        if not any(cell.strip() for cell in row):
            line = next_line
            continue  # blank line: not a record
        if len(row) != len(header):
            yield BadRecord(
                f"line:{line}",
                "ragged_row",
                f"{len(row)} cells, header has {len(header)}",
                raw=delimiter.join(row),
            )
        else:
            yield Record(f"line:{line}", dict(zip(header, row, strict=True)))
        line = next_line
