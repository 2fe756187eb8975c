"""Canonical offence categories and comparison sets, keyed to the FBI's NIBRS offence codes.

A canonical ``category`` is a NIBRS offence group; ``nibrs_code`` is filled only when the source
says the exact NIBRS offence (Toronto's "Assault" spans NIBRS 13A, 13B and 13C, so its rows get
the category ``assault`` and no code). Codes and crimes-against follow the FBI's *NIBRS User
Manual* (2021.0), section 2 (offence codes and their "crime against" classification). UCR Part I
and the violent/property split follow the FBI's NIBRS-to-Summary conversion (rape under the
revised 2013 definition: 11A, 11B, 11C; aggravated assault: 13A only).
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
    """A canonical offence category: a NIBRS offence group, its codes and its other names."""

    slug: str
    label: str
    nibrs_codes: tuple[str, ...]
    crime_against: CrimeAgainst
    sensitive: bool = False
    aliases: tuple[str, ...] = ()


_P, _R, _S = CrimeAgainst.person, CrimeAgainst.property, CrimeAgainst.society
_LARCENY = ("23A", "23B", "23C", "23D", "23E", "23F", "23G", "23H")

CATEGORIES: dict[str, Category] = {
    c.slug: c
    for c in (
        Category("homicide", "Homicide", ("09A", "09B"), _P, aliases=("murder", "manslaughter")),
        Category("rape", "Rape", ("11A",), _P, sensitive=True, aliases=("sexual assault",)),
        Category(
            "sex_offense",
            "Other sex offences",
            ("11B", "11C", "11D", "36A", "36B"),
            _P,
            sensitive=True,
            aliases=("sex offence", "sex offense", "fondling"),
        ),
        Category("kidnapping", "Kidnapping / abduction", ("100",), _P, aliases=("abduction",)),
        Category("human_trafficking", "Human trafficking", ("64A", "64B"), _P),
        Category("robbery", "Robbery", ("120",), _R, aliases=("mugging",)),
        Category(
            "assault",
            "Assault",
            ("13A", "13B", "13C"),
            _P,
            aliases=(
                "aggravated assault",
                "felony assault",
                "simple assault",
                "battery",
                "intimidation",
            ),
        ),
        Category(
            "burglary",
            "Burglary / break and enter",
            ("220",),
            _R,
            aliases=("break and enter", "breaking and entering", "b&e", "housebreaking"),
        ),
        Category(
            "larceny",
            "Larceny / theft",
            _LARCENY,
            _R,
            aliases=(
                "theft",
                "larceny-theft",
                "grand larceny",
                "petit larceny",
                "shoplifting",
                "theft over",
                "other theft",
            ),
        ),
        Category(
            "motor_vehicle_theft",
            "Motor vehicle theft",
            ("240",),
            _R,
            aliases=(
                "auto theft",
                "vehicle theft",
                "grand larceny of motor vehicle",
                "mvt",
                "car theft",
            ),
        ),
        Category("arson", "Arson", ("200",), _R),
        Category(
            "vandalism",
            "Destruction / damage / vandalism",
            ("290",),
            _R,
            aliases=("criminal damage", "criminal mischief", "damage to property"),
        ),
        Category(
            "fraud",
            "Fraud, forgery and embezzlement",
            ("250", "26A", "26B", "26C", "26D", "26E", "26F", "26G", "26H", "270"),
            _R,
            aliases=("forgery", "counterfeiting", "embezzlement", "deceptive practice"),
        ),
        Category("stolen_property", "Stolen property offences", ("280",), _R),
        Category("extortion", "Extortion / blackmail", ("210",), _R, aliases=("blackmail",)),
        Category("bribery", "Bribery", ("510",), _R),
        Category(
            "drugs",
            "Drug / narcotic offences",
            ("35A", "35B"),
            _S,
            aliases=("narcotics", "drug", "dangerous drugs"),
        ),
        Category(
            "weapons",
            "Weapon law violations",
            ("520",),
            _S,
            aliases=("weapons possession", "possession of weapons", "weapons violation"),
        ),
        Category("prostitution", "Prostitution offences", ("40A", "40B", "40C"), _S),
        Category("gambling", "Gambling offences", ("39A", "39B", "39C", "39D"), _S),
        Category("pornography", "Pornography / obscene material", ("370",), _S),
        Category("animal_cruelty", "Animal cruelty", ("720",), _S),
        Category(
            "disorderly_conduct",
            "Disorderly conduct and public order",
            ("90C",),
            _S,
            aliases=("public order", "disorderly", "public peace violation"),
        ),
        Category(
            "dui", "Driving under the influence", ("90D",), _S, aliases=("dwi", "impaired driving")
        ),
        Category("liquor", "Liquor law violations", ("90G",), _S),
        Category("trespass", "Trespass of real property", ("90J",), _S, aliases=("trespassing",)),
        Category("family_nonviolent", "Family offences, nonviolent", ("90F",), _S),
        Category(
            "curfew",
            "Curfew / loitering / vagrancy",
            ("90B",),
            _S,
            aliases=("loitering", "vagrancy"),
        ),
        Category(
            "other",
            "All other offences",
            ("90Z",),
            _S,
            aliases=("other crime", "other offense", "other offence", "miscellaneous"),
        ),
    )
}


@dataclass(frozen=True)
class ComparisonSet:
    """A named set of offences reported together (a CompStat row set, an index)."""

    slug: str
    label: str
    rule: str


COMPARISON_SETS: dict[str, ComparisonSet] = {
    s.slug: s
    for s in (
        ComparisonSet(
            "ucr_part1",
            "UCR Part I",
            "criminal homicide, rape, robbery, aggravated assault (13A), burglary, "
            "larceny-theft, motor-vehicle theft, arson",
        ),
        ComparisonSet(
            "violent",
            "Violent crime",
            "murder and nonnegligent manslaughter (09A), rape (11A-11C), robbery, "
            "aggravated assault (13A)",
        ),
        ComparisonSet(
            "property", "Property crime", "burglary, larceny-theft, motor-vehicle theft, arson"
        ),
        ComparisonSet(
            "nypd_seven_majors",
            "NYPD seven major felonies",
            "murder, rape, robbery, felony assault, burglary, grand larceny, grand "
            "larceny of a motor vehicle; decided by the adapter from the source's own "
            "codes (felony and 'grand' depend on local law and value thresholds)",
        ),
        ComparisonSet(
            "toronto_mci",
            "Toronto Major Crime Indicators",
            "assault, break and enter, robbery, auto theft, theft over",
        ),
    )
}

_VIOLENT_CODES = frozenset({"09A", "11A", "11B", "11C", "120", "13A"})
_PROPERTY = frozenset({"burglary", "larceny", "motor_vehicle_theft", "arson"})
_CATEGORY_DECIDES = frozenset({"robbery", "rape"}) | _PROPERTY


def index_sets(slug: str, nibrs_code: str | None) -> tuple[str, ...]:
    """The UCR Part I / violent / property sets an offence belongs to, where the data can say.

    Property offences and robbery belong by category alone; homicide and assault need the exact
    code (09A is in, 09B is Part I but not violent; 13A is in, 13B and 13C are not), so rows of
    those categories without a code join no set rather than a guessed one.
    """
    code_or_category = nibrs_code is not None or slug in _CATEGORY_DECIDES
    if not code_or_category:
        return ()
    violent = (nibrs_code in _VIOLENT_CODES) if nibrs_code else slug in {"robbery", "rape"}
    part1 = violent or slug in _PROPERTY or nibrs_code == "09B"
    sets = ["ucr_part1"] if part1 else []
    sets += ["violent"] if violent else []
    sets += ["property"] if slug in _PROPERTY else []
    return tuple(sets)


def category(slug: str) -> Category:
    """The canonical category ``slug``; a KeyError lists the known slugs."""
    try:
        return CATEGORIES[slug]
    except KeyError:
        raise KeyError(f"unknown category {slug!r}; known: {', '.join(CATEGORIES)}") from None


def _normalise(name: str) -> str:
    return " ".join(name.lower().replace("_", " ").replace("-", " ").split())


_BY_NAME: dict[str, str] = {
    _normalise(name): c.slug for c in CATEGORIES.values() for name in (c.slug, c.label, *c.aliases)
}


def resolve_category(name: str) -> Category:
    """The category called ``name``: its slug, label or an alias, in any case or spacing.

    ``resolve_category("Auto Theft")`` is motor-vehicle theft, ``resolve_category("theft")``
    larceny-theft. A KeyError names the input and lists the canonical slugs.
    """
    slug = _BY_NAME.get(_normalise(name))
    if slug is None:
        raise KeyError(
            f"unknown category {name!r}; use one of {', '.join(CATEGORIES)} or an alias "
            "(beatwise categories lists them)"
        )
    return CATEGORIES[slug]
