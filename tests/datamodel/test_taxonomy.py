"""Category names and aliases resolve case-insensitively; index sets follow the FBI's rules."""

from __future__ import annotations

import pytest

from beatwise.datamodel.taxonomy import CATEGORIES, index_sets, resolve_category


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("theft", "larceny"),
        ("Auto Theft", "motor_vehicle_theft"),
        ("auto-theft", "motor_vehicle_theft"),
        ("BREAK AND ENTER", "burglary"),
        ("felony assault", "assault"),
        ("Motor_Vehicle_Theft", "motor_vehicle_theft"),
        ("Larceny / theft", "larceny"),
    ],
)
def test_names_and_aliases_resolve_case_insensitively(name: str, slug: str) -> None:
    assert resolve_category(name).slug == slug


def test_no_alias_points_at_two_categories() -> None:
    names = [n.lower() for c in CATEGORIES.values() for n in (c.slug, *c.aliases)]
    assert len(names) == len(set(names))


def test_unknown_name_is_refused_with_the_way_out() -> None:
    with pytest.raises(KeyError, match="beatwise categories"):
        resolve_category("jaywalking")


@pytest.mark.parametrize(
    ("slug", "code", "sets"),
    [
        ("homicide", "09A", ("ucr_part1", "violent")),
        ("homicide", "09B", ("ucr_part1",)),  # negligent manslaughter: Part I, not violent
        ("homicide", None, ()),  # cannot tell murder from negligent manslaughter
        ("assault", "13A", ("ucr_part1", "violent")),
        ("assault", "13B", ()),
        ("assault", None, ()),
        ("sex_offense", "11B", ("ucr_part1", "violent")),  # revised rape definition
        ("sex_offense", "11D", ()),
        ("robbery", None, ("ucr_part1", "violent")),
        ("burglary", "220", ("ucr_part1", "property")),
        ("arson", None, ("ucr_part1", "property")),
        ("drugs", "35A", ()),
    ],
)
def test_index_sets_follow_the_summary_conversion(
    slug: str, code: str | None, sets: tuple[str, ...]
) -> None:
    assert index_sets(slug, code) == sets
