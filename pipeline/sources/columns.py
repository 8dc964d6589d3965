"""Which columns of a table hold free Chinese text, and which name their record: for tables whose text
columns are not configured (data.gov.tw resources, spreadsheets)."""

from __future__ import annotations

from pipeline.chars import han_count
from pipeline.readers.records import Record
from pipeline.sources.base import text_of

_TITLE_HINTS = ("名稱", "標題", "title", "主旨")


def detect_text_fields(records: list[Record]) -> list[str]:
    """Columns of free Chinese text: on average at least 8 Han characters a value."""
    if not records:
        return []
    totals: dict[str, int] = {}
    for rec in records:
        for key, value in rec.fields.items():
            totals[key] = totals.get(key, 0) + han_count(text_of(value) or "")
    means = {k: v / len(records) for k, v in totals.items()}
    chosen = [k for k, m in means.items() if m >= 8 and not is_title_column(k)]
    if not chosen:
        best = max(means, key=lambda k: means[k])
        chosen = [best] if means[best] > 0 else []
    return chosen


def is_title_column(column: str) -> bool:
    """A column that names its record (名稱, 標題, title, 主旨) rather than holding its text."""
    return any(h in column.lower() for h in _TITLE_HINTS)
