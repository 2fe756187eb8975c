"""Canonical offence categories, keyed to the FBI's NIBRS offence codes.

A canonical ``category`` is a NIBRS offence group; ``nibrs_code`` is filled only when the source
says the exact NIBRS offence (Toronto's "Assault" spans NIBRS 13A, 13B and 13C, so its rows get
the category ``assault`` and no code). Codes and crimes-against follow the FBI's *NIBRS User
Manual* (2021.0), section 2 (offence codes and their "crime against" classification).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class CrimeAgainst(StrEnum):
    """NIBRS "crime against" classes."""

    person = "person"
    property = "property"
    society = "society"


@dataclass(frozen=True)
class Category:
    """A canonical offence category: a NIBRS offence group and the codes it contains."""

    slug: str
    label: str
    nibrs_codes: tuple[str, ...]
    crime_against: CrimeAgainst
    sensitive: bool = False


CATEGORIES: dict[str, Category] = {
    c.slug: c
    for c in (
        Category("homicide", "Homicide", ("09A", "09B"), CrimeAgainst.person),
        Category("rape", "Rape", ("11A",), CrimeAgainst.person, sensitive=True),
        Category(
            "sex_offense",
            "Other sex offences",
            ("11B", "11C", "11D", "36A", "36B"),
            CrimeAgainst.person,
            sensitive=True,
        ),
        Category("robbery", "Robbery", ("120",), CrimeAgainst.property),
        Category("assault", "Assault", ("13A", "13B", "13C"), CrimeAgainst.person),
        Category("burglary", "Burglary / break and enter", ("220",), CrimeAgainst.property),
        Category(
            "larceny",
            "Larceny / theft",
            ("23A", "23B", "23C", "23D", "23E", "23F", "23G", "23H"),
            CrimeAgainst.property,
        ),
        Category("motor_vehicle_theft", "Motor vehicle theft", ("240",), CrimeAgainst.property),
        Category("arson", "Arson", ("200",), CrimeAgainst.property),
        Category("vandalism", "Destruction / vandalism", ("290",), CrimeAgainst.property),
        Category("drugs", "Drug / narcotic offences", ("35A", "35B"), CrimeAgainst.society),
        Category("weapons", "Weapon law violations", ("520",), CrimeAgainst.society),
        Category("other", "All other offences", ("90Z",), CrimeAgainst.society),
    )
}


def category(slug: str) -> Category:
    """The canonical category ``slug``; a KeyError lists the known slugs."""
    try:
        return CATEGORIES[slug]
    except KeyError:
        raise KeyError(f"unknown category {slug!r}; known: {', '.join(CATEGORIES)}") from None
