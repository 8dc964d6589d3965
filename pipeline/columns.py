"""Reading scattered rows of a column out of a staged (memory-mapped, many-chunk) Arrow table."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa


def take_rows(column: pa.ChunkedArray, rows: list[int] | np.ndarray) -> list[Any]:
    """Values at `rows`, chunk by chunk: `ChunkedArray.take` joins the chunks first (10x slower on a staged
    text column, a copy of the whole column at every call, and past 2 GB of text it could not), and one `as_py`
    per row costs as much again."""
    at = np.asarray(rows, dtype=np.int64)
    starts = np.cumsum([0, *(len(chunk) for chunk in column.chunks)])
    chunk_of = np.searchsorted(starts, at, side="right") - 1
    out: list[Any] = [None] * len(at)
    for k in np.unique(chunk_of).tolist():
        picked = np.flatnonzero(chunk_of == k)
        values = column.chunk(k).take(pa.array(at[picked] - starts[k])).to_pylist()
        for position, value in zip(picked.tolist(), values, strict=True):
            out[position] = value
    return out
