"""The Crime Open Database (CODE; Ashby 2019, https://osf.io/zyaqn/) format.

CODE harmonises open crime data from large US cities into one layout: ``uid``, ``city_name``,
``offense_code`` (a NIBRS offence code such as 09A or 240), ``offense_type``, ``date_single``,
``date_start``, ``date_end``, ``longitude``, ``latitude``, ``location_type``,
``location_category``, ``census_block`` (or ``fips_*``/``tract``/``block`` columns).

Two adapters read it, under the one source name ``code`` (so a record keeps its id whichever
reads it):

- ``code``: a CODE file with its offence columns. Required: ``uid``, ``city_name``,
  ``offense_code``, ``date_single``, ``longitude``, ``latitude``.
- ``code:<NIBRS code>`` (e.g. ``--source code:240``): a single-offence extract whose offence
  columns were removed, like the NYC motor-vehicle-theft file (``uid, date_single, date_start,
  date_end, longitude, latitude, location_type, location_category, census_block``). Every row
  is the offence named; a row whose ``offense_code`` (when the file has one) says otherwise is
  rejected. ``city_name`` may be missing, and then the city is New York, the only known
  extract of this kind. Required: ``uid``, ``date_single``, ``longitude``, ``latitude``.

Mapping rules

- **Identity**: ``uid`` (unique across CODE), written without a fraction.
- **Offence**: ``offense_code`` looked up in ``data/code_offense_codes.csv``, the NIBRS offence
  codes (FBI NIBRS User Manual 2021.0) and their canonical categories; ``nibrs_code`` is the
  code itself. 09C justifiable homicide is recorded as a non-crime ("other", no
  crime-against); Group B codes the taxonomy has no group for (90A bad checks, 90E drunkenness,
  90H peeping tom) go to fraud, other and other. CODE does not say whether an offence was
  attempted. An unknown code is rejected with a reason naming the table to extend.
- **City and time zone**: ``city_name`` looked up in ``data/code_cities.csv`` (every CODE city,
  its IANA zone and a generous box around it); an unknown city is rejected (and its date is
  not judged, having no zone). ``time_zone`` is the city's zone on each
  row; the adapter's own ``time_zone`` is New York's.
- **Times**: ``date_single`` is read as ``2014-01-01 01:15`` (with or without seconds) or, as in
  the 9-city homicide file, as Unix seconds (``1420264200.0``). Those seconds encode the local
  wall-clock time as if it were UTC: read as UTC, every city's homicides run from 2015-01-01
  00:00 to 2015-12-31 23:36 and peak late in the evening and at night, local time, which
  true UTC would shift by 5–8 hours; so they are taken as local time. Where CODE gives a range,
  ``date_single`` is its midpoint, so ``occurred_start``/``occurred_end`` come from
  ``date_start``/``date_end`` when present and parseable, else ``date_single`` starts the
  row. A ``date_single`` without a time gives ``date_only``. ``occurred_date`` and
  ``occurred_hour`` are the local date and hour of that start, as written (or as the Unix
  seconds encode them); no hour when ``date_only``. (All 44 Fort Worth rows of the
  homicide file sit at exactly 00:00, probably dates only, which Unix seconds cannot tell
  from midnight: they keep ``date_only`` false.)
- **Place**: ``latitude``/``longitude`` (WGS84, block-level as published by each city →
  ``geo_precision`` 'block'); both empty → 'none'; 0,0, half-given, unparseable or in no CODE
  city's box → rejected (checks run on projected columns, where the row's own city is gone, so
  a point is checked against all the boxes: enough for zeroed, swapped or garbled points).
  ``location_category`` → ``location_type`` through ``data/code_location_categories.csv``;
  CODE's finer ``location_type`` is kept in ``location_type_src``. CODE has no police areas:
  district, beat and the rest stay empty.
- **Agency**: each row's city, as "<city_name> (Crime Open Database)"; an extract without
  ``city_name`` is the default city's.

Data: Ashby, M. P. J. (2019). Studying crime and place with the Crime Open Database. Research
Data Journal for the Humanities and Social Sciences, 4(1), 65–80. Licences per city (CC-BY 4.0
for the database).
"""

from __future__ import annotations

from beatwise.ingest.sources.base import CsvSource, RowCheck, sql_string
from beatwise.ingest.sources.data import (
    COORDINATES_REASON,
    FOLDER,
    OptionalColumns,
    coordinate,
    has_no_time,
    integer_text,
    local_timestamp,
    location_type_sql,
    occurrence,
    offense_table,
    outside_box,
    plausible,
    rows_of,
    text,
    utc,
)

OFFENSES = offense_table("code_offense_codes.csv")
_IS_EPOCH = "regexp_full_match({raw}, '[0-9]{{9,11}}(\\.[0-9]*)?')"
DEFAULT_CITY = "New York"
OPTIONAL = OptionalColumns(
    anchor="uid",
    names=(
        "city_name",
        "offense_code",
        "offense_type",
        "date_start",
        "date_end",
        "location_type",
        "location_category",
    ),
)


def _by_city(city: str, field: str) -> str:
    whens = " ".join(
        f"WHEN {sql_string(row['city_name'])} THEN {_value(field, row[field])}"
        for row in rows_of("code_cities.csv")
    )
    return f"CASE {city} {whens} END"


def _by_city_value(city: str, field: str) -> str:
    return next(row[field] for row in rows_of("code_cities.csv") if row["city_name"] == city)


def _value(field: str, value: str) -> str:
    return sql_string(value) if field == "time_zone" else str(float(value))


def _outside_every_city() -> str:
    """SQL over the projected lat/lon: a point is given but lies in no CODE city's box.

    Checks run on projected columns, where the row's city is no longer at hand, so a point is
    checked against the union of the boxes: enough to catch 0,0, swapped or garbled points.
    """
    boxes = [
        outside_box(row["south"], row["west"], row["north"], row["east"])
        for row in rows_of("code_cities.csv")
    ]
    return "(" + " AND ".join(boxes) + ")"


def _local(raw: str) -> str:
    """Local TIMESTAMP from a date-time text or from Unix seconds holding local wall time."""
    micros = f"CAST(TRY_CAST({raw} AS DOUBLE) * 1000000 AS BIGINT)"
    epoch = f"CASE WHEN {_IS_EPOCH.format(raw=raw)} THEN make_timestamp({micros}) END"
    return f"coalesce({local_timestamp(raw)}, {epoch})"


def _source(
    *, title: str, required: tuple[str, ...], key: str, code_src: str, desc_src: str, city: str
) -> CsvSource:
    zone = _by_city(city, "time_zone")
    single = text("date_single")
    start, end = OPTIONAL.text("date_start"), OPTIONAL.text("date_end")
    category = OPTIONAL.text("location_category")
    date_only = f"({has_no_time(single)} AND NOT {_IS_EPOCH.format(raw=single)})"
    return CsvSource(
        name="code",
        table="incidents",
        agency="Crime Open Database (CODE)",
        # Rows carry their city's zone; the adapter's zone is the default city's.
        time_zone=_by_city_value(DEFAULT_CITY, "time_zone"),
        title=title,
        credit="Data: Crime Open Database (Ashby 2019), from the cities' open-data portals.",
        required_columns=required,
        natural_id=integer_text("uid"),
        agency_sql=f"{city} || ' (Crime Open Database)'",
        projection=f"""
            {OFFENSES.columns(key)},
            {code_src} AS offense_code_src,
            {desc_src} AS offense_desc_src,
            {occurrence(zone, f"coalesce({_local(start)}, {_local(single)})", date_only)},
            {utc(zone, _local(end))} AS occurred_end,
            {zone} AS time_zone,
            {location_type_sql(category, "code_location_categories.csv")} AS location_type,
            {OPTIONAL.text("location_type")} AS location_type_src,
            {coordinate("latitude")} AS lat,
            {coordinate("longitude")} AS lon,
            CASE WHEN {text("latitude")} IS NULL THEN 'none' ELSE 'block' END AS geo_precision
        """,
        checks=(
            # _natural_id is the pipeline's name for the evaluated natural_id expression.
            RowCheck("uid", "_natural_id IS NULL", "uid is empty"),
            RowCheck(
                "date_single",
                # without a known city the time zone is unknown: that row is rejected for it
                f"time_zone IS NOT NULL AND NOT ({plausible('occurred_start')})",
                "date_single is not a date (expected like '2014-01-01 01:15' or Unix seconds)",
            ),
            OFFENSES.check("offense_code" if "offense_code" in required else "uid", "offense"),
            RowCheck(
                "city_name" if "city_name" in required else "uid",
                "time_zone IS NULL",
                f"city_name is not a CODE city of code_cities.csv: add it with its time zone "
                f"and extent to {FOLDER}/code_cities.csv",
            ),
            RowCheck(
                "latitude",
                _outside_every_city(),
                f"{COORDINATES_REASON} (outside every city's box in code_cities.csv)",
            ),
        ),
    )


CODE = _source(
    title="Crime Open Database (CODE)",
    required=("uid", "city_name", "offense_code", "date_single", "longitude", "latitude"),
    key=f"upper({text('offense_code')})",
    code_src=f"upper({text('offense_code')})",
    desc_src=OPTIONAL.text("offense_type"),
    city=text("city_name"),
)


def code_extract(offense_code: str) -> CsvSource:
    """The CODE adapter for a single-offence extract: every row is ``offense_code``.

    A file that does carry ``offense_code`` keeps its own value in ``offense_code_src``, and a
    row whose code differs is rejected (its category would otherwise be wrong).
    """
    offense = {o.code: o for o in OFFENSES.offenses}.get(offense_code.upper())
    if offense is None:
        known = ", ".join(o.code for o in OFFENSES.offenses)
        raise KeyError(f"unknown CODE offence {offense_code!r} in 'code:'; use one of {known}")
    in_file = f"upper({OPTIONAL.text('offense_code')})"
    stated = sql_string(offense.code)
    return _source(
        title=f"Crime Open Database (CODE) extract: {offense.description} only",
        required=("uid", "date_single", "longitude", "latitude"),
        key=f"CASE WHEN coalesce({in_file}, {stated}) = {stated} THEN {stated} END",
        code_src=f"coalesce({in_file}, {stated})",
        desc_src=sql_string(offense.description),
        city=f"coalesce({OPTIONAL.text('city_name')}, {sql_string(DEFAULT_CITY)})",
    )
