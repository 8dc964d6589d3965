from datetime import UTC, datetime

import pytest

from pipeline.dates import parse_date


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("中華民國94年6月21日", datetime(2005, 6, 20, 16, tzinfo=UTC)),
        ("103年01月01日開始收錄", datetime(2013, 12, 31, 16, tzinfo=UTC)),
        ("114/10/20", datetime(2025, 10, 19, 16, tzinfo=UTC)),
        ("2026-03-10 00:00:00.000000", datetime(2026, 3, 9, 16, tzinfo=UTC)),
        ("2017/09/29 17:25", datetime(2017, 9, 29, 9, 25, tzinfo=UTC)),
        ("20241011", datetime(2024, 10, 10, 16, tzinfo=UTC)),
        ("2026-01-02T03:04:05+00:00", datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)),
    ],
)
def test_taiwan_date_spellings_are_taiwan_time(raw, expected):
    assert parse_date(raw) == expected


@pytest.mark.parametrize("raw", ["", None, "不定期", "113年13月01日", "2026-02-30"])
def test_unreadable_dates_are_none(raw):
    assert parse_date(raw) is None
