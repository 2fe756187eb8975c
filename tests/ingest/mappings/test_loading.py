"""Mapping files are checked strictly: each problem names the file, the YAML line and the fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from beatwise.ingest.errors import BadInputError
from beatwise.ingest.mappings import MappingError, load_mapping, parse_mapping, shipped_mappings

HEAD = """\
name: test-export
version: 3
title: Test export
agency: Test Police Department
table: use_of_force
time_zone: America/Chicago
credit: Test credit.
id: {columns: [ID]}
"""
BASE = HEAD + 'columns:\n  occurred_at: {column: Date, format: "%m/%d/%Y"}\n'
COUNTS = HEAD.replace("use_of_force", "official_counts") + "columns:\n"


def refused(text: str) -> MappingError:
    with pytest.raises(MappingError) as caught:
        parse_mapping(text, "test.yaml")
    return caught.value


def test_a_minimal_mapping_loads_with_its_defaults() -> None:
    mapping = parse_mapping(BASE, "test.yaml")
    assert mapping.source_name == "mapping:test-export"
    assert mapping.version == "3"
    assert mapping.columns["occurred_at"].column == ("Date",)
    assert mapping.coordinates == () and mapping.extent is None


def test_an_unknown_key_names_its_line_and_the_allowed_keys() -> None:
    error = refused(BASE + "  reason: {column: Why, colour: red}\n")
    assert error.line == 11 and str(error).startswith("test.yaml, line 11: ")
    assert "unknown key 'colour'" in str(error) and "pseudonymise" in error.fix


def test_every_problem_is_listed_with_its_own_line() -> None:
    text = BASE.replace("America/Chicago", "Mars/Olympus") + "extent: [1, 2, 0, 4]\n"
    error = refused(text)
    lines = [line for line, _ in error.issues]
    assert lines == [6, 11] and "2 problems" in str(error)
    assert "not an IANA time zone" in str(error) and "min_lon, min_lat" in str(error)


def test_a_key_given_twice_is_an_error_not_the_last_one_winning() -> None:
    error = refused(BASE + "  reason: Why\n  reason: Because\n")
    assert error.line == 12 and "given twice" in str(error)


def test_yes_no_codes_stay_text() -> None:
    text = BASE + "  subject_arrested:\n    column: Arrested\n    map: {YES: true, NO: false}\n"
    spec = parse_mapping(text, "test.yaml").columns["subject_arrested"]
    assert spec.map == {"YES": True, "NO": False}


def test_codes_stay_as_written_where_yaml_1_1_would_read_numbers() -> None:
    text = BASE + "  reason:\n    column: Why\n    map: {0710: a, 12:30: b, 1.50: c, 0x1F: d}\n"
    spec = parse_mapping(text, "test.yaml").columns["reason"]
    assert list(spec.map or {}) == ["0710", "12:30", "1.50", "0x1F"]


def test_invalid_yaml_names_the_line() -> None:
    error = refused(BASE + "  reason: [unclosed\n")
    assert error.line == 12 and "not valid YAML" in str(error)


@pytest.mark.parametrize(
    ("extra", "line", "message"),
    [
        ("  lat: Latitude\n", 11, "lat is set from coordinates"),
        ("  record_id: ID\n", 11, "set by the pipeline"),
        ("  colour: Red\n", 11, "has no column 'colour'"),
        (
            "  highest_force_level: {column: F, map: {a: high}}\n",
            11,
            "'high' is not a whole number",
        ),
        (
            "  force_types: {column: F, split: ','}\n"
            "  highest_force_level: {column: F, split: ','}\n",
            12,
            "add reduce: max",
        ),
        ("  officer_key: Badge\n", 11, "add pseudonymise: true"),
        ("  reason: {column: Why, pseudonymise: true}\n", 11, "not a key column"),
        ("  reason: {column: Why, format: '%Y'}\n", 11, "format does not apply"),
        ("  incident_ref: {column: A, constant: x}\n", 11, "exactly one of"),
        ("coordinates: {x: X, y: Y}\n", 11, "x, y and crs go together"),
        ("coordinates: {x: X, y: Y, crs: 'EPSG:999999'}\n", 11, "not a known CRS"),
    ],
)
def test_table_and_type_rules_point_at_the_spec(extra: str, line: int, message: str) -> None:
    error = refused(BASE + extra)
    assert error.line == line and message in str(error)


def test_counts_need_every_required_column_and_canonical_categories() -> None:
    text = COUNTS + "  year: Year\n  category: {column: Offence, map: {JAYWALK: jaywalking}}\n"
    error = refused(text)
    messages = [issue.message for _, issue in error.issues]
    assert "unknown category 'jaywalking'" in messages
    assert {m for m in messages if m.startswith("table official_counts needs")} == {
        f"table official_counts needs column '{c}'" for c in ("layer", "area_id", "count")
    }


def test_a_category_alias_is_accepted_and_compiled_to_its_slug() -> None:
    text = COUNTS + (
        "  layer: {constant: city}\n  area_id: {constant: all}\n  year: Year\n  count: N\n"
        "  category: {column: Offence, map: {GLA: auto theft, ALL: ucr_part1}}\n"
    )
    assert parse_mapping(text, "t.yaml").columns["category"].map == {
        "GLA": "auto theft",
        "ALL": "ucr_part1",
    }


@pytest.mark.parametrize(
    "column",
    ["Subject Name", "OFFICER_LAST_NAME", "VictimName", "Witness", "first_name", "CitName"],
)
def test_a_name_like_column_is_refused_wherever_it_is_read(column: str) -> None:
    error = refused(BASE + f"  reason: {{column: [Why, {column}]}}\n")
    assert f"'{column}' looks like a person's name" in str(error)
    assert "names never enter the warehouse" in error.fix


def test_an_officer_name_may_only_be_read_as_a_pseudonymised_officer_key() -> None:
    fine = BASE + "  officer_key: {column: Officer Name, pseudonymise: true}\n"
    assert parse_mapping(fine, "t.yaml").columns["officer_key"].pseudonymise
    for column, target in [("Subject Name", "subject_person_key"), ("Subject Name", "officer_key")]:
        error = refused(BASE + f"  {target}: {{column: {column}, pseudonymise: true}}\n")
        assert "looks like a person's name" in str(error)


def test_a_pseudonymised_identifier_is_never_read_raw_elsewhere() -> None:
    keyed = "  officer_key: {column: Badge, pseudonymise: true}\n"
    error = refused(BASE + keyed + "  unit: Badge\n")
    assert "would be stored raw" in str(error) and error.line == 12
    error = refused(BASE.replace("id: {columns: [ID]}", "id: {derive: [Date, Badge]}") + keyed)
    assert "ids are stored" in str(error) and error.line == 8


def test_shipped_mappings_load_by_name_and_files_by_path(tmp_path: Path) -> None:
    assert {
        "dallas-use-of-force",
        "austin-use-of-force",
        "seattle-use-of-force",
        "indianapolis-use-of-force",
        "cincinnati-use-of-force",
        "new-orleans-use-of-force",
        "orlando-use-of-force",
        "nypd-seven-majors-counts",
    } <= set(shipped_mappings())
    for name in shipped_mappings():
        assert load_mapping(name).name == name
    path = tmp_path / "mine.yaml"
    path.write_text(BASE)
    assert load_mapping(path).name == load_mapping(str(path)).name == "test-export"


def test_an_unknown_name_lists_the_shipped_mappings(tmp_path: Path) -> None:
    with pytest.raises(BadInputError) as caught:
        load_mapping("atlantis-use-of-force")
    assert "dallas-use-of-force" in caught.value.fix
    with pytest.raises(BadInputError, match="no such mapping file"):
        load_mapping(tmp_path / "missing.yaml")
