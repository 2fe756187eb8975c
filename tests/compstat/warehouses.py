"""Small warehouses made with the real pipeline, and the same rows read by pandas."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from beatwise.ingest.boundaries import load_boundaries
from beatwise.ingest.pipeline import ingest_files
from beatwise.ingest.sources import get_source
from beatwise.testing.city import write_tiny_city
from beatwise.warehouse import Warehouse

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
ZONES = FIXTURES / "boundaries" / "tiny_city_neighbourhoods.geojson"
ZONE_BOXES = {  # the three rectangles of ZONES: west, south, east, north
    "001": (-79.42, 43.61, -79.34, 43.67),
    "002": (-79.46, 43.67, -79.38, 43.73),
    "003": (-79.26, 43.73, -79.22, 43.79),
}
MCI_CATEGORY = {
    "Assault": "assault",
    "Break and Enter": "burglary",
    "Robbery": "robbery",
    "Auto Theft": "motor_vehicle_theft",
    "Theft Over": "larceny",
}
PREMISES = {
    "Apartment": "residence",
    "House": "residence",
    "Commercial": "commercial",
    "Outside": "outdoors",
    "Transit": "transit",
    "Educational": "school",
    "Other": "other",
}
TORONTO = "Toronto Police Service"
CHICAGO = "Chicago Police Department"


@dataclass(frozen=True)
class City:
    """A warehouse with the tiny city (Toronto MCI format), a boundary layer ``zone`` and the
    Chicago fixture rows (a second agency, with date-only and unlocated incidents)."""

    warehouse: Warehouse
    csv: Path


def build_city(root: Path, n: int = 3000, seed: int = 11) -> City:
    """Import the tiny city and the Chicago fixtures into a new warehouse under ``root``."""
    csv = write_tiny_city(root / "city.csv", n, seed=seed)
    warehouse = Warehouse(root / "warehouse")
    load_boundaries(warehouse, ZONES, layer="zone", id_field="code", name_field="label")
    ingest_files(warehouse, get_source("toronto-mci"), [csv])
    chicago = get_source("chicago")
    for name in ("chicago_crimes.csv", "chicago_crimes_2019.csv"):
        ingest_files(warehouse, chicago, [FIXTURES / "ingest" / name])
    return City(warehouse, csv)


def tiny_city_frame(csv: Path) -> pd.DataFrame:
    """The tiny city's rows as pandas reads them: local date and hour, category, premises and
    the zone each point falls in (by the rectangles' bounds)."""
    raw = pd.read_csv(csv, dtype=str)
    utc = pd.to_datetime(raw["occurrencedate"], format="%Y/%m/%d %H:%M:%S+00", utc=True)
    raw["day"] = utc.dt.tz_convert("America/Toronto").dt.date
    raw["hour"] = raw["occurrencehour"].astype(int)
    raw["weekday"] = raw["day"].map(lambda d: d.weekday())
    raw["category"] = raw["MCI"].map(MCI_CATEGORY)
    raw["location_type"] = raw["premises_type"].map(PREMISES)
    raw["lat"] = raw["Lat"].astype(float)
    raw["lon"] = raw["Long"].astype(float)
    raw["zone"] = None
    for zone, (west, south, east, north) in ZONE_BOXES.items():
        inside = raw["lon"].between(west, east) & raw["lat"].between(south, north)
        raw.loc[inside, "zone"] = zone
    return raw
