"""Arrow schemas of the canonical warehouse tables, defined once.

Every fact table starts with the same identity and provenance fields: ``record_id`` is a stable
hash of the natural key ``(source, source_record_id)``; ``ingest_id`` names the import that last
wrote the row; ``source_file`` and ``source_line`` point back to the exact input line. The
documentation of every column lives in ``docs/data-model.md``; ``tests/datamodel`` checks that
the two agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pyarrow as pa

UTC_TIMESTAMP = pa.timestamp("us", tz="UTC")

IDENTITY_FIELDS: tuple[pa.Field[Any], ...] = (
    pa.field("record_id", pa.string(), nullable=False),
    pa.field("source", pa.string(), nullable=False),
    pa.field("source_record_id", pa.string(), nullable=False),
    pa.field("agency", pa.string(), nullable=False),
    pa.field("ingest_id", pa.string(), nullable=False),
    pa.field("source_file", pa.string()),
    pa.field("source_line", pa.int64()),
)

_PLACE_FIELDS: tuple[pa.Field[Any], ...] = (
    pa.field("lat", pa.float64()),
    pa.field("lon", pa.float64()),
    pa.field("geo_precision", pa.string()),
    pa.field("district", pa.string()),
    pa.field("sector", pa.string()),
    pa.field("beat", pa.string()),
    pa.field("neighbourhood", pa.string()),
    pa.field("ward", pa.string()),
)


@dataclass(frozen=True)
class TableSpec:
    """A canonical table: its name, its Arrow schema and its natural key."""

    name: str
    schema: pa.Schema
    key: tuple[str, ...]
    time_column: str | None
    description: str


def _fact(*fields: pa.Field[Any]) -> pa.Schema:
    return pa.schema([*IDENTITY_FIELDS, *fields])


_NATURAL_KEY = ("source", "source_record_id")

INCIDENTS = TableSpec(
    name="incidents",
    description="Crimes and incidents reported to or by the police, one row per incident.",
    key=_NATURAL_KEY,
    time_column="occurred_start",
    schema=_fact(
        pa.field("category", pa.string(), nullable=False),
        pa.field("nibrs_code", pa.string()),
        pa.field("crime_against", pa.string()),
        pa.field("attempted", pa.bool_()),
        pa.field("offense_code_src", pa.string()),
        pa.field("offense_desc_src", pa.string()),
        pa.field("comparison_sets", pa.list_(pa.string())),
        pa.field("occurred_start", UTC_TIMESTAMP),
        pa.field("occurred_end", UTC_TIMESTAMP),
        # Local calendar date and hour of occurred_start, written by the adapters from the
        # wall-clock value they parse: Ibis has no time-zone conversion that works on every
        # engine, and CompStat counts by the local day.
        pa.field("occurred_date", pa.date32()),
        pa.field("occurred_hour", pa.int8()),
        pa.field("date_only", pa.bool_(), nullable=False),
        pa.field("time_zone", pa.string(), nullable=False),
        pa.field("reported_at", UTC_TIMESTAMP),
        pa.field("location_type", pa.string()),
        pa.field("location_type_src", pa.string()),
        *_PLACE_FIELDS,
        pa.field("arrest", pa.bool_()),
        pa.field("domestic", pa.bool_()),
        pa.field("is_sensitive", pa.bool_(), nullable=False),
        pa.field("status", pa.string()),
        pa.field("source_updated_at", UTC_TIMESTAMP),
    ),
)

CALLS_FOR_SERVICE = TableSpec(
    name="calls_for_service",
    description="Calls for service from CAD exports, one row per call.",
    key=_NATURAL_KEY,
    time_column="received_at",
    schema=_fact(
        pa.field("received_at", UTC_TIMESTAMP),
        pa.field("dispatched_at", UTC_TIMESTAMP),
        pa.field("first_arrived_at", UTC_TIMESTAMP),
        pa.field("cleared_at", UTC_TIMESTAMP),
        pa.field("date_only", pa.bool_(), nullable=False),
        pa.field("time_zone", pa.string(), nullable=False),
        pa.field("call_type_src", pa.string()),
        pa.field("call_category", pa.string()),
        pa.field("priority", pa.string()),
        pa.field("disposition", pa.string()),
        pa.field("initiated_by", pa.string()),
        pa.field("mental_health_nexus", pa.bool_()),
        pa.field("units", pa.int32()),
        pa.field("unit_minutes", pa.float64()),
        *_PLACE_FIELDS,
    ),
)

USE_OF_FORCE = TableSpec(
    name="use_of_force",
    description="Use-of-force reports, one row per subject and officer involved.",
    key=_NATURAL_KEY,
    time_column="occurred_at",
    schema=_fact(
        pa.field("occurred_at", UTC_TIMESTAMP),
        pa.field("date_only", pa.bool_(), nullable=False),
        pa.field("time_zone", pa.string(), nullable=False),
        pa.field("incident_ref", pa.string()),
        pa.field("call_ref", pa.string()),
        pa.field("force_types", pa.list_(pa.string())),
        pa.field("highest_force_level", pa.int8()),
        pa.field("reason", pa.string()),
        pa.field("subject_person_key", pa.string()),
        pa.field("subject_age_band", pa.string()),
        pa.field("subject_sex", pa.string()),
        pa.field("subject_race_ethnicity", pa.string()),
        pa.field("subject_armed", pa.bool_()),
        pa.field("subject_perceived_crisis", pa.bool_()),
        pa.field("subject_injured", pa.bool_()),
        pa.field("subject_hospitalised", pa.bool_()),
        pa.field("subject_arrested", pa.bool_()),
        pa.field("officer_key", pa.string()),
        pa.field("officer_injured", pa.bool_()),
        pa.field("unit", pa.string()),
        *_PLACE_FIELDS,
    ),
)

CRISIS_CONTACTS = TableSpec(
    name="crisis_contacts",
    description="Police contacts with a mental-health nexus, one row per contact.",
    key=_NATURAL_KEY,
    time_column="occurred_at",
    schema=_fact(
        pa.field("call_ref", pa.string()),
        pa.field("occurred_at", UTC_TIMESTAMP),
        pa.field("date_only", pa.bool_(), nullable=False),
        pa.field("time_zone", pa.string(), nullable=False),
        pa.field("response_model", pa.string()),
        pa.field("cit_on_scene", pa.bool_()),
        pa.field("disposition", pa.string()),
        pa.field("highest_force_level", pa.int8()),
        pa.field("subject_injured", pa.bool_()),
        pa.field("officer_injured", pa.bool_()),
        pa.field("person_key", pa.string()),
        pa.field("response_seconds", pa.float64()),
        pa.field("officer_minutes", pa.float64()),
        *_PLACE_FIELDS,
    ),
)

OFFICERS = TableSpec(
    name="officers",
    description="Officers by keyed pseudonym (never names), with unit and shift.",
    key=_NATURAL_KEY,
    time_column=None,
    schema=_fact(
        pa.field("officer_key", pa.string(), nullable=False),
        pa.field("unit", pa.string()),
        pa.field("shift", pa.string()),
        pa.field("hire_date", pa.date32()),
        pa.field("active", pa.bool_()),
    ),
)

TRAINING = TableSpec(
    name="training",
    description="Training completed by officers (CIT-40, ICAT, refreshers).",
    key=_NATURAL_KEY,
    time_column=None,
    schema=_fact(
        pa.field("officer_key", pa.string(), nullable=False),
        pa.field("course", pa.string(), nullable=False),
        pa.field("completed_on", pa.date32()),
    ),
)

BOUNDARIES = TableSpec(
    name="boundaries",
    description="Area polygons by layer (district, beat, neighbourhood, ...), WGS84 WKB.",
    key=_NATURAL_KEY,
    time_column=None,
    schema=_fact(
        pa.field("layer", pa.string(), nullable=False),
        pa.field("area_id", pa.string(), nullable=False),
        pa.field("name", pa.string()),
        pa.field("geometry", pa.binary()),
        pa.field("area_m2", pa.float64()),
        pa.field("population", pa.int64()),
        pa.field("valid_from", pa.date32()),
        pa.field("valid_to", pa.date32()),
    ),
)

OFFICIAL_COUNTS = TableSpec(
    name="official_counts",
    description="Published, pre-aggregated counts (for example the NYPD's yearly seven majors).",
    key=_NATURAL_KEY,
    time_column=None,
    schema=_fact(
        pa.field("layer", pa.string(), nullable=False),
        pa.field("area_id", pa.string(), nullable=False),
        pa.field("year", pa.int16(), nullable=False),
        pa.field("month", pa.int8()),
        pa.field("category", pa.string(), nullable=False),
        pa.field("count", pa.int64(), nullable=False),
        pa.field("publisher", pa.string()),
    ),
)

INGESTS = TableSpec(
    name="ingests",
    description="Provenance: one row per import, with its files, counts and timing.",
    key=("ingest_id",),
    time_column="started_at",
    schema=pa.schema(
        [
            pa.field("ingest_id", pa.string(), nullable=False),
            pa.field("source", pa.string(), nullable=False),
            pa.field("source_version", pa.string()),
            pa.field("agency", pa.string(), nullable=False),
            pa.field("target_table", pa.string(), nullable=False),
            pa.field("files", pa.list_(pa.string())),
            pa.field("file_sha256", pa.list_(pa.string())),
            pa.field("rows_read", pa.int64(), nullable=False),
            pa.field("rows_written", pa.int64(), nullable=False),
            pa.field("rows_rejected", pa.int64(), nullable=False),
            pa.field("target_version", pa.int64()),
            pa.field("started_at", UTC_TIMESTAMP, nullable=False),
            pa.field("finished_at", UTC_TIMESTAMP, nullable=False),
            pa.field("beatwise_version", pa.string(), nullable=False),
            pa.field("notes", pa.string()),
        ]
    ),
)

SURVEY_SCORES = TableSpec(
    name="survey_scores",
    description="Published survey scores (vendor sentiment meters) by area, period and group.",
    key=_NATURAL_KEY,
    time_column=None,
    schema=_fact(
        pa.field("period_start", pa.date32(), nullable=False),
        pa.field("period_end", pa.date32(), nullable=False),
        pa.field("layer", pa.string(), nullable=False),
        pa.field("area_id", pa.string(), nullable=False),
        pa.field("measure", pa.string(), nullable=False),
        pa.field("group_dimension", pa.string(), nullable=False),
        pa.field("group_value", pa.string(), nullable=False),
        pa.field("score", pa.float64()),
        pa.field("respondents", pa.int64()),
        pa.field("vendor", pa.string()),
    ),
)

_MEMBERSHIP_FIELDS: tuple[pa.Field[Any], ...] = (
    pa.field("record_id", pa.string(), nullable=False),
    pa.field("source_table", pa.string(), nullable=False),
    pa.field("layer", pa.string(), nullable=False),
    pa.field("area_id", pa.string(), nullable=False),
    pa.field("boundaries_version", pa.int64(), nullable=False),
)

AREA_MEMBERSHIP = TableSpec(
    name="area_membership",
    description="Which area of each loaded boundary layer every located record falls in.",
    key=("record_id", "layer"),
    time_column=None,
    schema=pa.schema(_MEMBERSHIP_FIELDS),
)

_REJECT_FIELDS: tuple[pa.Field[Any], ...] = (
    pa.field("ingest_id", pa.string(), nullable=False),
    pa.field("source", pa.string(), nullable=False),
    pa.field("source_file", pa.string(), nullable=False),
    pa.field("source_line", pa.int64(), nullable=False),
    pa.field("column", pa.string(), nullable=False),
    pa.field("value", pa.string()),
    pa.field("reason", pa.string(), nullable=False),
)

REJECTS = TableSpec(
    name="rejects",
    description="Every refused input row, with its file, line, column and reason.",
    key=("ingest_id", "source_file", "source_line", "column"),
    time_column=None,
    schema=pa.schema(_REJECT_FIELDS),
)

TABLES: dict[str, TableSpec] = {
    spec.name: spec
    for spec in (
        INCIDENTS,
        CALLS_FOR_SERVICE,
        USE_OF_FORCE,
        CRISIS_CONTACTS,
        OFFICERS,
        TRAINING,
        BOUNDARIES,
        OFFICIAL_COUNTS,
        SURVEY_SCORES,
        AREA_MEMBERSHIP,
        INGESTS,
        REJECTS,
    )
}


def table_spec(name: str) -> TableSpec:
    """The canonical table called ``name``; a KeyError lists the known names."""
    try:
        return TABLES[name]
    except KeyError:
        known = ", ".join(TABLES)
        raise KeyError(f"no canonical table {name!r}; known tables: {known}") from None
