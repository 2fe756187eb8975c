"""Which raw columns look like they hold a person's name, so that no mapping may read them.

No names of victims, subjects, witnesses or officers enter the warehouse (docs/ingest.md,
"Privacy"). Exports name their columns in many ways (``SUBJECT_NAME``, ``Officer Last Name``,
``VictimName``, ``Witness``), so the rule works on the words of a column's name:

- a name word alone or with any other word naming a person or a part of a name: ``Name``,
  ``FULL_NAME``, ``first name``, ``Surname``, ``Officer Name``, ``CitName``;
- a word for a person's role standing alone, since such a column holds who it was:
  ``Victim``, ``Suspect``, ``Witnesses``, ``Complainant``.

Place and unit names stay allowed (``DIST_NAME``, ``TAAG_Name``, ``LSOA name``, ``Street
Name``): a name word with only place words is not a person's name. Counts stay allowed too
(``Witnesses Involved``): a role word beside another word is not a name.
"""

from __future__ import annotations

import re

NAME_WORDS = frozenset(
    {
        "name",
        "names",
        "nm",
        "fullname",
        "firstname",
        "lastname",
        "middlename",
        "surname",
        "surnames",
        "forename",
        "forenames",
        "givenname",
        "fname",
        "lname",
        "mname",
        "nickname",
        "alias",
        "aka",
    }
)
"""Words that say "a name" (``nm`` is a common abbreviation: ``OFF_NM``)."""

NAME_PARTS = frozenset({"first", "last", "middle", "full", "given", "family", "maiden", "sur"})

PERSON_WORDS = frozenset(
    {
        "subject",
        "subj",
        "suspect",
        "susp",
        "victim",
        "vict",
        "witness",
        "witnesses",
        "officer",
        "officers",
        "ofc",
        "off",
        "offr",
        "offender",
        "offenders",
        "arrestee",
        "complainant",
        "comp",
        "citizen",
        "cit",
        "resident",
        "person",
        "persons",
        "driver",
        "owner",
        "reporter",
        "reportee",
        "caller",
        "informant",
        "employee",
        "emp",
        "member",
        "defendant",
        "juvenile",
        "parent",
        "guardian",
        "contact",
        "patient",
        "individual",
    }
)
"""Words for a person, including the abbreviations exports use (``Cit``, ``Ofc``, ``Susp``)."""

ROLE_WORDS = frozenset(
    {
        "victim",
        "victims",
        "suspect",
        "suspects",
        "witness",
        "witnesses",
        "complainant",
        "complainants",
        "offender",
        "arrestee",
        "informant",
        "caller",
        "reportee",
    }
)
"""Roles whose column, standing alone, holds who the person was."""

OFFICER_WORDS = frozenset({"officer", "officers", "ofc", "off", "offr", "employee", "emp"})
"""Words that make a column an officer's: the only names a mapping may read (pseudonymised)."""

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def column_words(column: str) -> tuple[str, ...]:
    """The lower-case words of a column name, split at non-letters and camelCase humps.

    >>> column_words("VictimName")
    ('victim', 'name')
    >>> column_words("OFFICER_LAST_NAME")
    ('officer', 'last', 'name')
    """
    spaced = _CAMEL.sub(" ", column)
    return tuple(w.lower() for w in re.split(r"[^A-Za-z]+", spaced) if w)


def names_an_officer(column: str) -> bool:
    """True when the column is about an officer (``Officer Name``, ``OFF_NM``, ``EmpName``)."""
    return any(w in OFFICER_WORDS for w in column_words(column))


def looks_like_a_name(column: str) -> bool:
    """True when the column ``column`` probably holds a person's name (see the module notes).

    >>> looks_like_a_name("Subject Name"), looks_like_a_name("DIST_NAME")
    (True, False)
    """
    words = column_words(column)
    if not words:
        return False
    joined = "".join(words)
    if joined in NAME_WORDS or (len(words) == 1 and words[0] in ROLE_WORDS):
        return True
    has_name = any(w in NAME_WORDS for w in words) or joined.endswith(("firstname", "lastname"))
    personal = [w for w in words if w in PERSON_WORDS or w in NAME_PARTS]
    return has_name and bool(personal)
