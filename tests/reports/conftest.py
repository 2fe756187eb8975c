"""A hand-made CompStat report (two districts and the citywide cover) for the renderers.

The counts are chosen so that every kind of cell appears: a zero prior (``***.*``), flagged rises
and falls (``|Z| ≥ 2``), official and incident-based history, and an unknown history year.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime

import pyarrow as pa
import pytest

from beatwise.compstat.cube import CITY, CITYWIDE, CUBE_SCHEMA, Cube, DataVersion
from beatwise.compstat.history import OfficialCounts
from beatwise.compstat.report import Report, SheetOptions, build_report
from beatwise.compstat.rows import extra_row

AS_OF = date(2019, 6, 30)  # a Sunday: the week is Mon 6/24 .. Sun 6/30
GENERATED = datetime(2019, 7, 1, 9, 30, tzinfo=UTC)
MCI = "toronto_mci"

Counts = list[tuple[str, str, date, int]]
"""District, category, day, number of incidents (all in the MCI set)."""

COUNTS: Counts = [
    # district 7: assault 0 -> 6 in the week (no prior: ***.*, Z 4.90 flagged up)
    ("7", "assault", date(2019, 6, 25), 6),
    # district 7: robbery 4 -> 0 over 28 days (-100.0, Z -4.00 flagged down)
    ("7", "robbery", date(2018, 6, 10), 4),
    # district 11: robbery 2 -> 3 this week (50.0, Z 0.64), a long year-to-date history
    ("11", "robbery", date(2019, 6, 24), 3),
    ("11", "robbery", date(2018, 6, 26), 2),
    ("11", "robbery", date(2019, 2, 3), 40),
    ("11", "robbery", date(2018, 3, 3), 30),
    ("11", "robbery", date(2017, 4, 4), 20),
    ("11", "burglary", date(2016, 5, 5), 9),
    # the data start 2016-01-01 and end 2019-06-30: 2016, 2017 and 2018 are whole years
    ("11", "larceny", date(2016, 1, 1), 1),
    ("11", "larceny", date(2019, 6, 30), 1),
]

OFFICIAL: OfficialCounts = {
    ("7", 2015, "robbery"): 17,
    ("7", 2015, "assault"): 5,
    ("7", 2015, "burglary"): 8,
    ("7", 2015, "motor_vehicle_theft"): 2,
    ("7", 2015, "larceny"): 1,
}


def cube(counts: Counts) -> Cube:
    """The daily-count cube of ``counts`` at the city and district levels."""
    table: Counter[tuple[str, str, str, date]] = Counter()
    for district, category, day, n in counts:
        table[(CITY, CITYWIDE, category, day)] += n
        table[("district", district, category, day)] += n
    keys = list(table)
    columns = {
        "level": [k[0] for k in keys],
        "geography": [k[1] for k in keys],
        "category": [k[2] for k in keys],
        "sets": [MCI] * len(keys),
        "day": [k[3] for k in keys],
        "count": [table[k] for k in keys],
    }
    version = DataVersion(12, 3, None)
    levels = (CITY, "district")
    return Cube("Test PS", version, levels, pa.table(columns, schema=CUBE_SCHEMA), frozenset({MCI}))


def options(level: str) -> SheetOptions:
    return SheetOptions(
        as_of=AS_OF,
        level=level,
        extras=(extra_row("robbery"),),
        base_years=(2016,),
        history_years=(2015, 2016, 2017, 2018),
    )


@pytest.fixture(scope="session")
def district_report() -> Report:
    """Districts 7 and 11 (history 2015 of district 7 from official counts)."""
    return build_report(cube(COUNTS), options("district"), OFFICIAL)


@pytest.fixture(scope="session")
def city_report() -> Report:
    """The citywide sheet for the cover."""
    return build_report(cube(COUNTS), options(CITY), {})
