"""A tiny synthetic city in the Toronto MCI export format, for tests, docs and examples.

The rows are made up (seeded), but they have the shape of the real export: local midnight written
in UTC, a local hour, the five MCI categories, premises types and neighbourhoods, and some exact
duplicates, as the real file has (several victims at one place and hour).
"""

from __future__ import annotations

import csv
import random
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

HEADER = (
    "occurrencedate",
    "occurrencehour",
    "premises_type",
    "occurrencemonth",
    "occurrencedayofweek",
    "MCI",
    "Neighbourhood",
    "occurrenceday",
    "occurrencedayofyear",
    "Pub_Id",
    "Park_Id",
    "PS_Id",
    "Lat",
    "Long",
)
CATEGORIES = ("Assault", "Break and Enter", "Robbery", "Auto Theft", "Theft Over")
PREMISES = ("Apartment", "House", "Commercial", "Outside", "Transit", "Educational", "Other")
NEIGHBOURHOODS = {
    "Harbourview": (43.640, -79.380),
    "Elm Park": (43.700, -79.420),
    "Cedar Heights": (43.760, -79.260),
}
ZONE = ZoneInfo("America/Toronto")


def tiny_city_rows(
    n: int, *, seed: int = 7, start: date = date(2019, 1, 1), days: int = 730
) -> list[dict[str, str]]:
    """``n`` synthetic incidents over ``days`` days from ``start``; every tenth is duplicated."""
    rng = random.Random(seed)
    rows: list[dict[str, str]] = []
    while len(rows) < n:
        day = start + timedelta(days=rng.randrange(days))
        midnight = datetime(day.year, day.month, day.day, tzinfo=ZONE)
        utc = midnight.astimezone(ZoneInfo("UTC"))
        name, (lat, lon) = rng.choice(sorted(NEIGHBOURHOODS.items()))
        row = {
            "occurrencedate": utc.strftime("%Y/%m/%d %H:%M:%S+00"),
            "occurrencehour": str(rng.randrange(24)),
            "premises_type": rng.choice(PREMISES),
            "occurrencemonth": day.strftime("%B"),
            "occurrencedayofweek": f"{day.strftime('%A'):<10}",
            "MCI": rng.choices(CATEGORIES, weights=(50, 20, 8, 14, 8))[0],
            "Neighbourhood": name,
            "occurrenceday": str(day.day),
            "occurrencedayofyear": str(day.timetuple().tm_yday),
            "Pub_Id": "0",
            "Park_Id": "0",
            "PS_Id": "0",
            "Lat": f"{lat + rng.uniform(-0.02, 0.02):.8f}",
            "Long": f"{lon + rng.uniform(-0.03, 0.03):.8f}",
        }
        rows.append(row)
        if len(rows) % 10 == 0 and len(rows) < n:
            rows.append(dict(row))
    return rows


def write_tiny_city(path: Path, n: int = 500, *, seed: int = 7) -> Path:
    """Write ``n`` synthetic incidents to ``path`` as a Toronto MCI CSV and return the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=HEADER, lineterminator="\n")
        writer.writeheader()
        writer.writerows(tiny_city_rows(n, seed=seed))
    return path
