"""Toronto Police Service Major Crime Indicators, as shipped in the demo city's package.

Columns: ``occurrencedate`` (local midnight written in UTC, e.g. ``2014/03/02 05:00:00+00``),
``occurrencehour`` (local hour; with the local date they give ``occurred_date`` and
``occurred_hour`` directly), ``premises_type``, ``MCI`` (Assault, Break and Enter, Robbery,
Auto Theft, Theft Over), ``Neighbourhood`` (one of the 140 social-planning neighbourhoods),
``Lat``/``Long`` (WGS84, offset by the TPS to the nearest intersection), and derived columns
this adapter ignores. The extract carries no event id, so ids are derived from the row content
(see docs/data-model.md, "Derived ids").

Data: Toronto Police Service, Open Government Licence – Toronto.
"""

from __future__ import annotations

from beatwise.ingest.sources.base import CsvSource, RowCheck, sql_case
from beatwise.ingest.sources.data import occurrence

ZONE = "America/Toronto"

MCI_CATEGORY = {
    "Assault": "assault",
    "Break and Enter": "burglary",
    "Robbery": "robbery",
    "Auto Theft": "motor_vehicle_theft",
    "Theft Over": "larceny",
}
"""MCI → canonical category. Toronto's Assault spans NIBRS 13A–13C; Theft Over is theft over
$5,000 (NIBRS 23A–23H); so only the group is certain and ``nibrs_code`` stays empty for those."""

MCI_NIBRS = {"Break and Enter": "220", "Robbery": "120", "Auto Theft": "240"}

MCI_CRIME_AGAINST = {
    "Assault": "person",
    "Break and Enter": "property",
    "Robbery": "property",
    "Auto Theft": "property",
    "Theft Over": "property",
}

PREMISES_LOCATION_TYPE = {
    "Apartment": "residence",
    "House": "residence",
    "Commercial": "commercial",
    "Outside": "outdoors",
    "Transit": "transit",
    "Educational": "school",
    "Other": "other",
}

_LOCAL_DATE = (
    f"CAST(timezone('{ZONE}', try_strptime(\"occurrencedate\", '%Y/%m/%d %H:%M:%S%z')) AS DATE)"
)
_HOUR = 'TRY_CAST("occurrencehour" AS INTEGER)'
_LOCAL_START = (
    f"CASE WHEN {_HOUR} BETWEEN 0 AND 23 "
    f"THEN CAST({_LOCAL_DATE} AS TIMESTAMP) + to_hours({_HOUR}) END"
)
_LAT = 'NULLIF(TRY_CAST("Lat" AS DOUBLE), 0)'
_LON = 'NULLIF(TRY_CAST("Long" AS DOUBLE), 0)'

TORONTO_MCI = CsvSource(
    name="toronto-mci",
    table="incidents",
    agency="Toronto Police Service",
    time_zone=ZONE,
    title="Toronto Police Service Major Crime Indicators",
    credit=(
        "Contains information licensed under the Open Government Licence – Toronto "
        "(Toronto Police Service, Major Crime Indicators)."
    ),
    required_columns=(
        "occurrencedate",
        "occurrencehour",
        "premises_type",
        "MCI",
        "Neighbourhood",
        "Lat",
        "Long",
    ),
    content_columns=(
        "occurrencedate",
        "occurrencehour",
        "premises_type",
        "MCI",
        "Neighbourhood",
        "Lat",
        "Long",
    ),
    projection=f"""
        {sql_case('"MCI"', MCI_CATEGORY)} AS category,
        {sql_case('"MCI"', MCI_NIBRS)} AS nibrs_code,
        {sql_case('"MCI"', MCI_CRIME_AGAINST)} AS crime_against,
        "MCI" AS offense_desc_src,
        ['toronto_mci'] AS comparison_sets,
        {occurrence(f"'{ZONE}'", _LOCAL_START, "false")},
        '{ZONE}' AS time_zone,
        {sql_case('"premises_type"', PREMISES_LOCATION_TYPE)} AS location_type,
        "premises_type" AS location_type_src,
        {_LAT} AS lat,
        {_LON} AS lon,
        CASE WHEN {_LAT} IS NULL OR {_LON} IS NULL THEN 'none' ELSE 'intersection' END
            AS geo_precision,
        "Neighbourhood" AS neighbourhood,
        false AS is_sensitive
    """,
    checks=(
        RowCheck(
            "occurrencedate",
            "occurred_start IS NULL",
            "occurrencedate or occurrencehour is not a date and hour "
            "(expected like '2014/03/02 05:00:00+00' and 0-23)",
        ),
        RowCheck(
            "MCI",
            "category IS NULL",
            f"MCI is not one of the five categories ({', '.join(MCI_CATEGORY)})",
        ),
    ),
)
