"""docs/ingest.md is tested: the taxonomy tables, the format reference, the shipped mappings and
the full example (it must load, compile and give what the text says it gives)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from beatwise.datamodel.taxonomy import CATEGORIES, COMPARISON_SETS
from beatwise.ingest.mappings import compile_mapping, parse_mapping, shipped_mappings
from beatwise.ingest.mappings.model import (
    ColumnSpec,
    CoordinateSpec,
    IdSpec,
    Mapping,
    TimeSpec,
)

from .helpers import GUIDE, project, read_header


def guide() -> str:
    return GUIDE.read_text()


def section(title: str) -> str:
    return guide().split(f"\n## {title}\n", 1)[1].split("\n## ", 1)[0]


def block_after(marker: str) -> str:
    """The fenced block following ``<!-- marker -->``."""
    after = guide().split(f"<!-- {marker} -->", 1)[1]
    return after.split("```", 2)[1].split("\n", 1)[1]


def row_of(table: str, key: str) -> list[str]:
    line = next(line for line in table.splitlines() if line.startswith(f"| `{key}` |"))
    return [cell.strip() for cell in line.strip("|").split("|")]


@pytest.mark.parametrize("slug", list(CATEGORIES))
def test_every_category_its_codes_and_aliases_are_in_the_guide(slug: str) -> None:
    category = CATEGORIES[slug]
    cells = row_of(section("Offence taxonomy"), slug)
    assert cells[1] == category.label
    assert cells[2] == ", ".join(category.nibrs_codes)
    assert cells[3] == category.crime_against.value
    assert cells[4] == ("yes" if category.sensitive else "")
    assert cells[5].split(", ") == (list(category.aliases) or [""])


@pytest.mark.parametrize("slug", list(COMPARISON_SETS))
def test_every_comparison_set_is_in_the_guide(slug: str) -> None:
    cells = row_of(section("Offence taxonomy"), slug)
    assert cells[1:] == [COMPARISON_SETS[slug].label, COMPARISON_SETS[slug].rule]


def test_the_taxonomy_tables_have_no_extra_rows() -> None:
    rows = re.findall(r"^\| `(\w+)` \|", section("Offence taxonomy"), flags=re.MULTILINE)
    assert sorted(rows) == sorted([*CATEGORIES, *COMPARISON_SETS])


@pytest.mark.parametrize(
    "model", [Mapping, IdSpec, ColumnSpec, TimeSpec, CoordinateSpec], ids=lambda m: m.__name__
)
def test_every_key_of_the_format_is_documented(model: type) -> None:
    reference = section("Mapping files").split("### Format reference", 1)[1]
    for key in model.model_fields:
        documented = re.search(rf"^\| [^|]*`{key}`[^|]* \|", reference, flags=re.MULTILINE)
        assert documented, f"docs/ingest.md lacks key {key!r}"


@pytest.mark.parametrize("name", shipped_mappings())
def test_every_shipped_mapping_is_listed(name: str) -> None:
    assert row_of(section("Mapping files"), name)


def test_the_full_example_loads_and_gives_what_the_guide_says(tmp_path: Path) -> None:
    mapping = parse_mapping(block_after("example-mapping"), "riverton-incidents.yaml")
    export = tmp_path / "export.csv"
    export.write_text(block_after("example-export"))
    out = project(compile_mapping(mapping, read_header(export), path=export), export)
    assert out.failures == []
    first, second, third = out.rows
    assert (first["category"], first["crime_against"], first["comparison_sets"]) == (
        "larceny",
        "property",
        ["ucr_part1", "property"],
    )
    assert first["occurred_start"] == datetime(2024, 3, 2, 5, 30, tzinfo=UTC)
    assert (first["occurred_date"], first["occurred_hour"]) == (date(2024, 3, 1), 23)
    assert (first["date_only"], first["geo_precision"], first["is_sensitive"]) == (
        False,
        "block",
        False,
    )
    assert (second["category"], second["nibrs_code"], second["domestic"]) == (
        "assault",
        "13B",
        True,
    )
    assert second["occurred_start"] == datetime(2024, 3, 2, 6, 45, tzinfo=UTC)
    assert (second["occurred_date"], second["occurred_hour"]) == (date(2024, 3, 2), 0)
    assert (third["nibrs_code"], third["comparison_sets"]) == ("09A", ["ucr_part1", "violent"])
    assert (third["date_only"], third["geo_precision"], third["lat"]) == (True, "none", None)
    assert (third["occurred_date"], third["occurred_hour"]) == (date(2024, 3, 3), None)
    assert third["reported_at"] == datetime(2024, 3, 3, 20, 0, tzinfo=UTC)
