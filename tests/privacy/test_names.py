"""Columns that hold a person's name are recognised; place and unit names and counts are not."""

from __future__ import annotations

import pytest

from beatwise.privacy.names import column_words, looks_like_a_name, names_an_officer


@pytest.mark.parametrize(
    "column",
    [
        "Name",
        "NAME",
        "full_name",
        "FullName",
        "First Name",
        "last_name",
        "LNAME",
        "Surname",
        "Subject Name",
        "SUBJECT_NAME",
        "Officer Name",
        "OFFICER_LAST_NAME",
        "OFF_NM",
        "VictimName",
        "Victim",
        "Witness",
        "Witnesses",
        "Suspect",
        "Suspect Name",
        "Complainant",
        "CitName",
        "Name of Officer",
        "Alias",
        "Driver Name",
        "Arrestee First Name",
    ],
)
def test_name_columns_are_recognised(column: str) -> None:
    assert looks_like_a_name(column)


@pytest.mark.parametrize(
    "column",
    [
        "DIST_NAME",
        "TAAG_Name",
        "LSOA name",
        "Street Name",
        "Unit Name",
        "Neighborhood Name",
        "Witnesses Involved",
        "Officers Involved",
        "Officer_ID",
        "CURRENT_BADGE_NO",
        "Subject_Race",
        "OffSex",
        "CitNum",
        "Victim Age",
        "Beat",
        "",
    ],
)
def test_other_columns_are_not(column: str) -> None:
    assert not looks_like_a_name(column)


def test_words_split_at_separators_and_camel_case() -> None:
    assert column_words("OFFICER_LAST_NAME") == ("officer", "last", "name")
    assert column_words("VictimName") == ("victim", "name")
    assert column_words("TAAG_Name") == ("taag", "name")


def test_only_an_officers_column_names_an_officer() -> None:
    assert names_an_officer("Officer Name") and names_an_officer("OFF_NM")
    assert not names_an_officer("Subject Name") and not names_an_officer("Victim")
