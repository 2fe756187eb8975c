"""data.police.uk street-level crime CSV (England, Wales and Northern Ireland).

Columns: ``Crime ID, Month, Reported by, Falls within, Longitude, Latitude, Location, LSOA code,
LSOA name, Crime type, Last outcome category, Context`` (one file per force and month, e.g.
``2024-03-metropolitan-street.csv``). The adapter reads the first eleven; the (always empty)
context is ignored.

Mapping rules

- **Identity**: anti-social behaviour has no ``Crime ID``, so ids are derived from the row
  content (docs/data-model.md, "Derived ids"): ``Crime ID, Month, Reported by, Falls within,
  Longitude, Latitude, LSOA code, Crime type``. With a Crime ID the content is unique to the
  crime, so a later export (whose outcome has moved on) updates the same row; without one,
  identical anti-social-behaviour rows (same month, snap point and force) stay separate rows by
  their ordinal. The outcome is not part of the id for that reason. An exact duplicate line
  with a Crime ID is kept as a second row (the pipeline cannot yet mix natural and derived ids).
- **Outcome**: ``Last outcome category`` → ``status``, the text as published ("Under
  investigation", "Offender given a caution", ...; empty → NULL, as for anti-social
  behaviour). It is content, not identity: a later export whose outcome has moved on updates
  the row's ``status`` (the MERGE compares every content column).
- **Offence**: ``Crime type`` looked up in ``data/police_uk_crime_types.csv`` (the 14 current
  types of the police.uk "About" page, plus the 2011–2013 types "Violent crime" and "Public
  disorder and weapons"). Judgement calls, because a police.uk type can span several NIBRS
  groups:

  - *Violence and sexual offences* mixes homicide, assault with and without injury, stalking,
    harassment and sexual offences including rape → assault, with no NIBRS code, so it joins
    no index set (its violent part cannot be told apart) and is not marked sensitive (the
    publisher already anonymises these points; rape cannot be separated).
  - *Vehicle crime* mixes theft of vehicles (240), theft from vehicles (23F) and interfering
    → larceny without a code; it is a property crime in every part, so it stays in UCR Part I
    property, but motor-vehicle theft alone cannot be counted from police.uk.
  - *Criminal damage and arson* → vandalism (arson cannot be split off; no index set).
  - *Theft from the person* and *Other theft* → larceny; *Shoplifting* → 23C; *Bicycle theft*
    → 23H; *Public order* → disorderly conduct; *Other crime* → other.
  - *Anti-social behaviour* is not a crime: category "other", no NIBRS code, empty
    ``crime_against`` and no comparison set, so crime counts can leave it out.

  An unknown crime type is rejected with a reason naming the table to extend.
- **Times** (zone Europe/London): only the month is published. ``Month`` ``2024-03`` →
  ``occurred_start`` 2024-03-01 00:00 local, ``occurred_end`` the last microsecond of the month
  (31 March 23:59:59.999999 local), ``date_only`` true. ``occurred_date`` is the first day of
  the month (its precision is a month), ``occurred_hour`` NULL. No report time.
- **Place**: ``Latitude``/``Longitude`` are the police.uk anonymous snap point ("On or near
  ...", the centre of a street or a public place) → ``geo_precision`` 'block'; rows with no
  location (empty coordinates, "No Location") → 'none'. 0,0, half-given, unparseable or
  outside a box around the UK (lat 49.8–61.0, lon -8.7 – 2.0) → rejected. ``LSOA code`` (the
  census Lower Layer Super Output Area) → ``neighbourhood``; ``Location`` →
  ``location_type_src`` (the snap point's description; no canonical type).
- **Agency**: each row's force, from ``Falls within`` (the constant "Police forces of England,
  Wales and Northern Ireland (data.police.uk)" when it is empty).

Data: data.police.uk, Open Government Licence v3.0.
"""

from __future__ import annotations

from beatwise.ingest.sources.base import CsvSource, RowCheck, sql_string
from beatwise.ingest.sources.data import (
    Extent,
    coordinate,
    occurrence,
    offense_table,
    plausible,
    text,
    utc,
)

ZONE = "Europe/London"
EXTENT = Extent(south=49.8, west=-8.7, north=61.0, east=2.0)
OFFENSES = offense_table("police_uk_crime_types.csv")

_ZONE = f"'{ZONE}'"
_MONTH = f"CAST(try_strptime({text('Month')} || '-01', '%Y-%m-%d') AS TIMESTAMP)"

_ALL_FORCES = "Police forces of England, Wales and Northern Ireland (data.police.uk)"

POLICE_UK = CsvSource(
    name="police-uk",
    table="incidents",
    agency=_ALL_FORCES,
    agency_sql=f"coalesce(NULLIF(trim(\"Falls within\"), ''), {sql_string(_ALL_FORCES)})",
    time_zone=ZONE,
    title="data.police.uk street-level crime",
    credit="Contains public sector information licensed under the Open Government Licence v3.0 "
    "(data.police.uk).",
    required_columns=(
        "Crime ID",
        "Month",
        "Reported by",
        "Falls within",
        "Longitude",
        "Latitude",
        "Location",
        "LSOA code",
        "LSOA name",
        "Crime type",
        "Last outcome category",
    ),
    content_columns=(
        "Crime ID",
        "Month",
        "Reported by",
        "Falls within",
        "Longitude",
        "Latitude",
        "LSOA code",
        "Crime type",
    ),
    projection=f"""
        {OFFENSES.columns(text("Crime type"))},
        {text("Crime type")} AS offense_code_src,
        {text("Crime type")} AS offense_desc_src,
        {occurrence(_ZONE, _MONTH, "true")},
        {utc(_ZONE, f"{_MONTH} + INTERVAL 1 MONTH - INTERVAL 1 MICROSECOND")} AS occurred_end,
        {_ZONE} AS time_zone,
        {text("Location")} AS location_type_src,
        {coordinate("Latitude")} AS lat,
        {coordinate("Longitude")} AS lon,
        CASE WHEN {text("Latitude")} IS NULL THEN 'none' ELSE 'block' END AS geo_precision,
        {text("LSOA code")} AS neighbourhood,
        {text("Last outcome category")} AS status
    """,
    checks=(
        RowCheck(
            "Month",
            f"NOT ({plausible('occurred_start')})",
            "Month is not a year and month (expected like '2024-03') from 1900 on",
        ),
        OFFENSES.check("Crime type", "Crime type"),
        EXTENT.check("Latitude"),
    ),
)
