"""``beatwise categories``: every canonical category with its codes and aliases, and the sets."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from beatwise.cli.main import app
from beatwise.datamodel.taxonomy import CATEGORIES, COMPARISON_SETS

runner = CliRunner()


def test_json_lists_every_category_and_comparison_set() -> None:
    result = runner.invoke(app, ["categories", "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert [c["slug"] for c in payload["categories"]] == list(CATEGORIES)
    assert [s["slug"] for s in payload["comparison_sets"]] == list(COMPARISON_SETS)
    larceny = next(c for c in payload["categories"] if c["slug"] == "larceny")
    assert larceny["nibrs_codes"] == [f"23{letter}" for letter in "ABCDEFGH"]
    assert larceny["crime_against"] == "property" and larceny["sensitive"] is False
    assert "theft" in larceny["aliases"]
    rape = next(c for c in payload["categories"] if c["slug"] == "rape")
    assert rape["sensitive"] is True and rape["nibrs_codes"] == ["11A"]


def test_a_name_or_alias_shows_the_category_it_resolves_to() -> None:
    result = runner.invoke(app, ["categories", "AUTO  Theft", "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert [c["slug"] for c in payload["categories"]] == ["motor_vehicle_theft"]
    assert payload["categories"][0]["nibrs_codes"] == ["240"]
    assert payload["comparison_sets"] == []


def test_an_unknown_name_exits_2_listing_the_categories() -> None:
    result = runner.invoke(app, ["categories", "jaywalking"])
    assert result.exit_code == 2
    assert "jaywalking" in result.output and "motor_vehicle_theft" in result.output


def test_text_shows_codes_aliases_and_sets() -> None:
    result = runner.invoke(app, ["categories"], env={"COLUMNS": "240"})
    assert result.exit_code == 0, result.output
    for shown in ("motor_vehicle_theft", "auto theft", "09A, 09B", "society", "UCR Part I"):
        assert shown in result.output
    assert result.output.count("\n") > len(CATEGORIES) + len(COMPARISON_SETS)
