"""The canonical data model: identity fields first, natural keys present, a NIBRS taxonomy."""

from __future__ import annotations

import re

import pyarrow as pa
import pytest

from beatwise.datamodel import IDENTITY_FIELDS, TABLES, TableSpec, table_spec
from beatwise.datamodel.taxonomy import CATEGORIES, CrimeAgainst, category

NATURAL_KEY = ("source", "source_record_id")
FACT_TABLES = {
    "incidents",
    "calls_for_service",
    "use_of_force",
    "crisis_contacts",
    "officers",
    "training",
    "boundaries",
    "official_counts",
    "survey_scores",
}
LOG_TABLES = {"ingests", "rejects"}
DERIVED_TABLES = {"area_membership"}
NIBRS_CODE = re.compile(r"^[0-9]{2}[0-9A-Z]$")
"""A NIBRS offence code: three characters, two digits then a digit or a letter (09A, 120)."""


def specs() -> list[TableSpec]:
    """Every canonical table, in the data model's order."""
    return list(TABLES.values())


def test_every_table_is_either_a_fact_table_or_a_log() -> None:
    assert set(TABLES) == FACT_TABLES | LOG_TABLES | DERIVED_TABLES
    assert {name for name, spec in TABLES.items() if spec.key == NATURAL_KEY} == FACT_TABLES


@pytest.mark.parametrize("spec", specs(), ids=lambda spec: spec.name)
def test_table_is_registered_under_its_own_name(spec: TableSpec) -> None:
    assert TABLES[spec.name] is spec
    assert table_spec(spec.name) is spec
    assert spec.description.strip()
    assert len(set(spec.schema.names)) == len(spec.schema.names), "duplicate column names"


@pytest.mark.parametrize("name", sorted(FACT_TABLES))
def test_fact_table_starts_with_the_identity_fields(name: str) -> None:
    schema = table_spec(name).schema
    leading = list(schema)[: len(IDENTITY_FIELDS)]
    assert leading == list(IDENTITY_FIELDS)
    assert [f.nullable for f in leading] == [f.nullable for f in IDENTITY_FIELDS]


@pytest.mark.parametrize("spec", specs(), ids=lambda spec: spec.name)
def test_natural_key_columns_exist_and_are_never_null(spec: TableSpec) -> None:
    assert spec.key, "a table without a key cannot be MERGE-upserted"
    for column in spec.key:
        assert column in spec.schema.names
        assert not spec.schema.field(column).nullable, f"key column {column} is nullable"


@pytest.mark.parametrize(
    "spec", [s for s in specs() if s.time_column is not None], ids=lambda spec: spec.name
)
def test_time_column_is_a_utc_timestamp(spec: TableSpec) -> None:
    assert spec.time_column is not None
    assert spec.schema.field(spec.time_column).type == pa.timestamp("us", tz="UTC")


@pytest.mark.parametrize("spec", specs(), ids=lambda spec: spec.name)
def test_every_timestamp_is_stored_in_utc(spec: TableSpec) -> None:
    for field in spec.schema:
        if pa.types.is_timestamp(field.type):
            assert field.type == pa.timestamp("us", tz="UTC"), field.name


def test_unknown_table_error_lists_the_known_names() -> None:
    with pytest.raises(KeyError) as caught:
        table_spec("incidentz")
    message = str(caught.value)
    assert "'incidentz'" in message
    for name in TABLES:
        assert name in message


def test_category_slugs_are_their_keys() -> None:
    for slug, entry in CATEGORIES.items():
        assert entry.slug == slug
        assert re.fullmatch(r"[a-z][a-z_]*", slug)
        assert entry.label.strip()
        assert isinstance(entry.crime_against, CrimeAgainst)


@pytest.mark.parametrize("slug", sorted(CATEGORIES))
def test_category_codes_look_like_nibrs_codes(slug: str) -> None:
    codes = CATEGORIES[slug].nibrs_codes
    assert codes, f"{slug} has no NIBRS code"
    assert len(set(codes)) == len(codes)
    for code in codes:
        assert NIBRS_CODE.fullmatch(code), code


def test_no_nibrs_code_belongs_to_two_categories() -> None:
    owners: dict[str, list[str]] = {}
    for slug, entry in CATEGORIES.items():
        for code in entry.nibrs_codes:
            owners.setdefault(code, []).append(slug)
    shared = {code: slugs for code, slugs in owners.items() if len(slugs) > 1}
    assert not shared


def test_sex_offences_are_sensitive_crimes_against_persons() -> None:
    sensitive = {slug for slug, entry in CATEGORIES.items() if entry.sensitive}
    assert sensitive == {"rape", "sex_offense"}
    assert all(CATEGORIES[slug].crime_against is CrimeAgainst.person for slug in sensitive)


def test_unknown_category_error_lists_the_known_slugs() -> None:
    with pytest.raises(KeyError) as caught:
        category("jaywalking")
    message = str(caught.value)
    assert "'jaywalking'" in message
    for slug in CATEGORIES:
        assert slug in message
    assert category("robbery").nibrs_codes == ("120",)
