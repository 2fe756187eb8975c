"""The Toronto MCI adapter's local date and hour, on hand-written rows in the real format.

``occurrencedate`` is the local midnight written in UTC (05:00+00 in winter, 04:00+00 in
summer) and ``occurrencehour`` the local hour; the adapter's other behaviour is tested in
``tests/ingest/test_toronto_mci.py``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from .conftest import Load, seen_locally

EXPECTED = {  # line → (occurred_date, occurred_hour, occurred_start)
    2: (date(2014, 3, 2), 8, datetime(2014, 3, 2, 13, 0, tzinfo=UTC)),
    3: (date(2013, 12, 24), 22, datetime(2013, 12, 25, 3, 0, tzinfo=UTC)),  # UTC: next day
    # 10 March 2019, clocks go forward at 2:00: 1:00 EST, then hour 2 does not exist and is
    # read as 3:00 EDT by occurred_start, while occurred_hour keeps the 2 that was written
    4: (date(2019, 3, 10), 1, datetime(2019, 3, 10, 6, 0, tzinfo=UTC)),
    5: (date(2019, 3, 10), 2, datetime(2019, 3, 10, 7, 0, tzinfo=UTC)),
    6: (date(2019, 3, 10), 3, datetime(2019, 3, 10, 7, 0, tzinfo=UTC)),
    7: (date(2019, 3, 11), 0, datetime(2019, 3, 11, 4, 0, tzinfo=UTC)),  # EDT midnight
    # 3 November 2019, clocks go back: the repeated 1:00 is read as standard time
    8: (date(2019, 11, 3), 1, datetime(2019, 11, 3, 6, 0, tzinfo=UTC)),
    9: (date(2019, 11, 3), 23, datetime(2019, 11, 4, 4, 0, tzinfo=UTC)),  # UTC: next day
}


def test_local_date_and_hour_are_the_ones_written(load: Load) -> None:
    loaded = load("toronto-mci", "toronto_mci.csv")
    assert loaded.rejected() == [(10, "occurrencedate", "2019/11/04 05:00:00+00")]  # hour 24
    rows = {r["source_line"]: r for r in loaded.rows.values()}
    got = {
        line: (r["occurred_date"], r["occurred_hour"], r["occurred_start"])
        for line, r in rows.items()
    }
    assert got == EXPECTED
    for line, row in rows.items():
        if line != 5:  # the skipped hour: occurred_start's local hour is 3
            assert (row["occurred_date"], row["occurred_hour"]) == seen_locally(row)
    assert seen_locally(rows[5]) == (date(2019, 3, 10), 3)
