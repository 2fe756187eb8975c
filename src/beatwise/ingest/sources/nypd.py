"""NYPD complaint data: the historic (qgea-i56i) and year-to-date (5uac-w243) exports.

Both exports share the column layout ``CMPLNT_NUM, CMPLNT_FR_DT, CMPLNT_FR_TM, CMPLNT_TO_DT,
CMPLNT_TO_TM, ADDR_PCT_CD, RPT_DT, KY_CD, OFNS_DESC, PD_CD, PD_DESC, CRM_ATPT_CPTD_CD,
LAW_CAT_CD, BORO_NM, LOC_OF_OCCUR_DESC, PREM_TYP_DESC, JURIS_DESC, ... Latitude, Longitude,
Lat_Lon, ... VIC_SEX``; the adapter reads the columns named below and ignores the rest. Suspect
and victim descriptions are never stored (``incidents`` has no column for them); the victim's
age group is only looked at to withhold a row (see sensitivity).

Mapping rules

- **Identity**: ``CMPLNT_NUM``, written without a fraction (``100000001.0`` → ``100000001``);
  the year-to-date export and a later historic export of the same complaint update one row.
- **Offence**: ``KY_CD`` (the NYPD's three-digit offence classification) looked up in
  ``data/nypd_ky_cd.csv``, compiled from the NYPD complaint data dictionary and the
  ``KY_CD``/``OFNS_DESC`` pairs of both exports (not yet checked against a full export: no real
  complaint file is in ../shared/data; a code the table lacks is rejected). Felony and misdemeanour
  versions of one offence have separate codes (116 and 233 sex crimes) and map to the same category.
  Judgement calls: 109 grand and 341 petit larceny are both larceny (no NIBRS code: they span
  23A–23H); 342 petit larceny of a motor vehicle and 353 unauthorised use (joyriding, which the UCR
  counts as motor-vehicle theft) are motor-vehicle theft; 343 theft of services (mostly transit fare
  evasion) is kept out of larceny as "other", so that fare enforcement does not inflate larceny; 344
  assault 3 and 578 harassment 2 (striking, shoving, threatening) are assault without a NIBRS code;
  102 vehicular homicide is homicide without a code (the FBI excludes traffic deaths from 09B).
  ``OFNS_DESC: PD_DESC`` is kept in ``offense_desc_src``. A code not in the table is rejected with a
  reason naming the table to extend.
- **NYPD seven major felonies**: KY_CD 101 murder, 104 rape, 105 robbery, 106 felony assault,
  107 burglary, 109 grand larceny, 110 grand larceny of motor vehicle, the NYPD's own
  definition; attempts count, as in CompStat.
- **Attempted**: ``CRM_ATPT_CPTD_CD`` ATTEMPTED → true, COMPLETED → false, else empty.
- **Times** (zone America/New_York): ``occurred_start`` from ``CMPLNT_FR_DT`` (MM/DD/YYYY, or an ISO
  date from the API) plus ``CMPLNT_FR_TM`` (HH:MM:SS; ``24:00:00`` is the next midnight); without a
  time, or with one that is not a time of day (``25:00:00``), local midnight and ``date_only`` true.
  ``occurred_date``/``occurred_hour``: the local date and hour of that start (``24:00:00`` on
  03/01 is 03/02, hour 0); no hour when ``date_only``.
  ``occurred_end`` from ``CMPLNT_TO_DT``/``CMPLNT_TO_TM`` (a date without a time ends at the last
  instant of that day). ``reported_at`` from ``RPT_DT``, a date only: local midnight of the report
  day. A missing or unparseable ``CMPLNT_FR_DT``, or one before 1900 (typos such as 1015), is
  rejected.
- **Place**: ``Latitude``/``Longitude`` (WGS84; the NYPD places a complaint at the middle of
  its block or at the intersection → ``geo_precision`` 'block'); both empty → 'none'. Points
  at 0,0, half-given, unparseable or outside a box around the five boroughs (lat 40.47–40.93,
  lon -74.27 – -73.68) are rejected. ``ADDR_PCT_CD`` → ``district`` (the precinct, ``14.0`` →
  ``14``).
- **Premises**: ``PREM_TYP_DESC`` → ``location_type`` through ``data/nypd_premises.csv``.
- **Sensitivity**: rape and sex crimes (as marked in the KY_CD table), and any row whose
  ``VIC_AGE_GROUP`` is ``<18`` (a juvenile victim), when the export has that column.
- The placeholder ``(null)`` in any column is read as empty.

Data: City of New York, NYC Open Data (NYPD Complaint Data Historic / Current Year To Date).
"""

from __future__ import annotations

from beatwise.ingest.sources.base import CsvSource, RowCheck
from beatwise.ingest.sources.data import (
    Extent,
    OptionalColumns,
    coordinate,
    integer_text,
    local_timestamp,
    location_type_sql,
    occurrence,
    offense_table,
    plausible,
    text,
    utc,
)

ZONE = "America/New_York"
EXTENT = Extent(south=40.47, west=-74.27, north=40.93, east=-73.68)
OFFENSES = offense_table("nypd_ky_cd.csv")

_ZONE = f"'{ZONE}'"


def _date(column: str) -> str:
    """A local DATE from MM/DD/YYYY or an ISO date (an API export's time part is ignored)."""
    return f"CAST({local_timestamp(f'left({text(column)}, 10)')} AS DATE)"


def _time(column: str) -> str:
    return f"TRY_CAST({text(column)} AS TIME)"


_KY_CD = integer_text("KY_CD")
_START = occurrence(
    _ZONE,
    f"{_date('CMPLNT_FR_DT')} + coalesce({_time('CMPLNT_FR_TM')}, TIME '00:00')",
    f"({_time('CMPLNT_FR_TM')} IS NULL)",
)
_END = utc(
    _ZONE,
    f"coalesce({_date('CMPLNT_TO_DT')} + {_time('CMPLNT_TO_TM')}, "
    f"{_date('CMPLNT_TO_DT')} + INTERVAL 1 DAY - INTERVAL 1 MICROSECOND)",
)
_ATTEMPTED = (
    f"CASE upper({text('CRM_ATPT_CPTD_CD')}) "
    "WHEN 'ATTEMPTED' THEN true WHEN 'COMPLETED' THEN false END"
)
_OPTIONAL = OptionalColumns(anchor="CMPLNT_NUM", names=("VIC_AGE_GROUP",))
_JUVENILE_VICTIM = f"{_OPTIONAL.text('VIC_AGE_GROUP')} = '<18'"

NYPD = CsvSource(
    name="nypd",
    table="incidents",
    agency="New York City Police Department",
    time_zone=ZONE,
    title="NYPD complaint data (historic and year to date)",
    credit="Data: City of New York, NYC Open Data (NYPD Complaint Data).",
    required_columns=(
        "CMPLNT_NUM",
        "CMPLNT_FR_DT",
        "CMPLNT_FR_TM",
        "CMPLNT_TO_DT",
        "CMPLNT_TO_TM",
        "ADDR_PCT_CD",
        "RPT_DT",
        "KY_CD",
        "OFNS_DESC",
        "PD_DESC",
        "CRM_ATPT_CPTD_CD",
        "PREM_TYP_DESC",
        "Latitude",
        "Longitude",
    ),
    natural_id=integer_text("CMPLNT_NUM"),
    projection=f"""
        {OFFENSES.columns(_KY_CD, attempted=_ATTEMPTED, also_sensitive=_JUVENILE_VICTIM)},
        {_KY_CD} AS offense_code_src,
        concat_ws(': ', {text("OFNS_DESC")}, {text("PD_DESC")}) AS offense_desc_src,
        {_START},
        {_END} AS occurred_end,
        {_ZONE} AS time_zone,
        {utc(_ZONE, f"CAST({_date('RPT_DT')} AS TIMESTAMP)")} AS reported_at,
        {location_type_sql(text("PREM_TYP_DESC"), "nypd_premises.csv")} AS location_type,
        {text("PREM_TYP_DESC")} AS location_type_src,
        {coordinate("Latitude")} AS lat,
        {coordinate("Longitude")} AS lon,
        CASE WHEN {text("Latitude")} IS NULL THEN 'none' ELSE 'block' END AS geo_precision,
        {integer_text("ADDR_PCT_CD")} AS district
    """,
    checks=(
        # _natural_id is the pipeline's name for the evaluated natural_id expression.
        RowCheck("CMPLNT_NUM", "_natural_id IS NULL", "CMPLNT_NUM is empty"),
        RowCheck(
            "CMPLNT_FR_DT",
            f"NOT ({plausible('occurred_start')})",
            "CMPLNT_FR_DT is not a date (expected MM/DD/YYYY) or is before 1900",
        ),
        OFFENSES.check("KY_CD", "KY_CD offence code"),
        EXTENT.check("Latitude"),
    ),
)
