"""Chicago Police Department crimes, as published on the Chicago Data Portal (dataset ijzp-q8t2).

Columns read (the portal's API names, as in the samples in ``../shared/data/chicago``): ``id``,
``date``, ``iucr``, ``primary_type``, ``description``, ``location_description``, ``arrest``,
``domestic``, ``beat``, ``district``, ``ward``, ``community_area``, ``latitude``,
``longitude``, ``updated_on``. Other columns (``case_number``, ``block``, ``fbi_code``,
``x_coordinate``/``y_coordinate``, ``year``, ``location`` and the derived ``month``...) are
allowed and ignored. The portal's "Export" button writes title-case headers (``Primary Type``);
those files are refused with the list of missing columns until the pipeline normalises headers.

Mapping rules

- **Identity**: ``id`` (CPD's record id; one per victim for homicides, so a case number can
  repeat), written without a fraction: ``11023904.0`` and ``11023904`` are the same record, and
  a later export of it updates the row. A later line with the same id wins.
- **Offence**: ``iucr`` left-padded to 4 characters (``486`` → ``0486``, as the City writes
  it) and looked up in ``data/chicago_iucr.csv``: the City of Chicago's IUCR code list (dataset
  c7ck-438e) with CPD's FBI code for each code as seen in the 2017–2019 exports, the canonical
  category and NIBRS code. The category follows the FBI code's group (so UCR Part I here is
  exactly CPD's index crime, FBI codes 01A–09); the NIBRS code is set only where the IUCR code
  pins it (``0860`` retail theft → 23C; ``0810`` theft over $500 spans 23A–23H → none).
  ``attempted`` is true for codes whose description says ATTEMPT, else false. An IUCR code not
  in the table is rejected with a reason naming the table to extend.
- **NYPD seven major felonies** (comparable set): FBI codes 01A (first and second degree
  murder), 02 (criminal sexual assault), 03 (robbery, attempts included), 04A/04B (aggravated
  assault and battery), 05 (burglary), 07 (motor-vehicle theft) and, of the thefts (06), only
  IUCR 0810 "OVER $500", the closest Chicago has to New York's grand larceny (NY's threshold is
  $1,000, and NY also counts any theft from the person, which Chicago does not separate by
  value). Simple battery/assault (08A/08B) never counts, even "aggravated" by the victim's
  status with no weapon and no serious injury (0440, 0454, 0545, 0554), because CPD itself
  classes those as non-index.
- **Times** (zone America/Chicago): ``date`` is read as ``7/19/2017 13:45`` (with or without
  seconds), ``07/19/2017 01:45:00 PM`` (portal export), ``2017-07-19T13:45:00.000`` (API) or
  ``2017-07-19 13:45:00``; a date alone (``2019-12-10`` as in the 2019 sample, or
  ``7/19/2017``) gives local midnight with ``date_only`` true. ``occurred_date`` and
  ``occurred_hour`` are the date and hour as written (23:30 on 7/19 is 7/19, hour 23, though
  UTC is already 7/20); no hour for a date alone. Dates before 1900 or from 2100 on are
  rejected. ``updated_on`` → ``source_updated_at`` (same formats). The portal has no
  report time: ``reported_at`` is empty.
- **Place**: ``latitude``/``longitude`` (WGS84, CPD moves each point along its block for
  privacy → ``geo_precision`` 'block'). Both empty → no point, ``geo_precision`` 'none'. A
  point at 0,0, half-given, unparseable or outside a box around the city (lat 41.60–42.05,
  lon -87.95 – -87.50) is rejected (CPD's ungeocoded rows carry lat 36.62, lon -91.69). The
  Illinois East state-plane ``x_coordinate``/``y_coordinate`` (EPSG:3435) are not reprojected:
  the pipeline's DuckDB session has no spatial extension, and in the real exports every row
  with x/y also has latitude/longitude.
- **Areas**, written as CPD does: ``district`` ``8.0`` → ``8``; ``beat`` zero-padded to four
  digits (``832.0`` → ``0832``, matching the beat boundaries' ``beat_num``); ``ward`` as an
  integer; ``community_area`` → ``neighbourhood`` as an integer, ``0`` (unknown) as empty.
  ``sector`` is left empty (it is the beat's first three digits).
- **Flags**: ``arrest`` and ``domestic`` from True/False in any case; anything else is empty.
  ``is_sensitive`` when the IUCR table marks the code (criminal sexual assault, other sex
  offences, offences against children, domestic battery and orders of protection) or when
  ``domestic`` is true.
- **Premises**: ``location_description`` → ``location_type`` through
  ``data/chicago_locations.csv`` (unknown text → empty type; the text is kept in
  ``location_type_src``).

Data: City of Chicago, Data Portal terms of use.
"""

from __future__ import annotations

from beatwise.ingest.sources.base import CsvSource, RowCheck
from beatwise.ingest.sources.data import (
    Extent,
    coordinate,
    has_no_time,
    integer_text,
    local_timestamp,
    location_type_sql,
    occurrence,
    offense_table,
    plausible,
    text,
    utc,
)

ZONE = "America/Chicago"
EXTENT = Extent(south=41.60, west=-87.95, north=42.05, east=-87.50)
OFFENSES = offense_table("chicago_iucr.csv")

_ZONE = f"'{ZONE}'"
_IUCR = f"lpad(upper({text('iucr')}), 4, '0')"
_OCCURRED = occurrence(_ZONE, local_timestamp(text("date")), has_no_time(text("date")))


def _flag(column: str) -> str:
    return f"CASE lower({text(column)}) WHEN 'true' THEN true WHEN 'false' THEN false END"


CHICAGO = CsvSource(
    name="chicago",
    table="incidents",
    agency="Chicago Police Department",
    time_zone=ZONE,
    title="Chicago Data Portal crimes (Chicago Police Department)",
    credit="Data: City of Chicago, Chicago Data Portal (Crimes - 2001 to Present).",
    required_columns=(
        "id",
        "date",
        "iucr",
        "primary_type",
        "description",
        "location_description",
        "arrest",
        "domestic",
        "beat",
        "district",
        "ward",
        "community_area",
        "latitude",
        "longitude",
        "updated_on",
    ),
    natural_id=integer_text("id"),
    projection=f"""
        {OFFENSES.columns(_IUCR, also_sensitive=_flag("domestic"))},
        {_IUCR} AS offense_code_src,
        concat_ws(': ', {text("primary_type")}, {text("description")}) AS offense_desc_src,
        {_OCCURRED},
        {_ZONE} AS time_zone,
        {location_type_sql(text("location_description"), "chicago_locations.csv")}
            AS location_type,
        {text("location_description")} AS location_type_src,
        {coordinate("latitude")} AS lat,
        {coordinate("longitude")} AS lon,
        CASE WHEN {text("latitude")} IS NULL THEN 'none' ELSE 'block' END AS geo_precision,
        {integer_text("district")} AS district,
        lpad({integer_text("beat")}, 4, '0') AS beat,
        NULLIF({integer_text("community_area")}, '0') AS neighbourhood,
        {integer_text("ward")} AS ward,
        {_flag("arrest")} AS arrest,
        {_flag("domestic")} AS domestic,
        {utc(_ZONE, local_timestamp(text("updated_on")))} AS source_updated_at
    """,
    checks=(
        # _natural_id is the pipeline's name for the evaluated natural_id expression.
        RowCheck("id", "_natural_id IS NULL", "id is empty: every CPD record has one"),
        RowCheck(
            "date",
            f"NOT ({plausible('occurred_start')})",
            "date is not a date (expected like '7/19/2017 13:45', '07/19/2017 01:45:00 PM' "
            "or '2019-12-10') or is before 1900",
        ),
        OFFENSES.check("iucr", "IUCR code"),
        EXTENT.check("latitude"),
    ),
)
