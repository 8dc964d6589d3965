"""Dates as Taiwan government data writes them: ISO-ish timestamps, slashes, compact digits, and ROC (民國) years.

A time without a zone is Taiwan time (UTC+8, no daylight saving since 1979) and is returned converted to UTC.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

ROC_OFFSET = 1911
TAIWAN = timezone(timedelta(hours=8), "Asia/Taipei")
_ROC = re.compile(r"(?:中華)?(?:民國)?\s*(\d{2,3})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_ROC_SLASH = re.compile(r"^(\d{2,3})[/.-](\d{1,2})[/.-](\d{1,2})$")
_FORMATS = (
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%Y%m%d",
)


def parse_date(value: str | None) -> datetime | None:
    """A UTC datetime for any of the spellings above, or None when the value is not a date we can read."""
    if not value or not str(value).strip():
        return None
    text = str(value).strip()
    roc = _ROC.search(text) or _ROC_SLASH.match(text)
    if roc:
        year, month, day = (int(g) for g in roc.groups())
        try:
            return datetime(year + ROC_OFFSET, month, day, tzinfo=TAIWAN).astimezone(UTC)
        except ValueError:
            return None
    for fmt in _FORMATS:
        try:
            return datetime.strptime(text, fmt).replace(tzinfo=TAIWAN).astimezone(UTC)
        except ValueError:
            continue
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=TAIWAN)).astimezone(UTC)
