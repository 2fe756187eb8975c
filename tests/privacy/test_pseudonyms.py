"""Keyed pseudonyms: HMAC-SHA256 under the deployment's key, the same in Python and in SQL."""

from __future__ import annotations

import hashlib
import hmac

import duckdb
import pytest

from beatwise.privacy import (
    PseudonymKeyError,
    pseudonym,
    pseudonym_key,
    register_pseudonym_function,
)

KEY = "a-deployment-secret-for-tests-0123456789"


def expected(value: str, key: str = KEY) -> str:
    """RFC 2104 HMAC-SHA256, written out with the standard library."""
    return "p_" + hmac.new(key.encode(), value.encode(), hashlib.sha256).hexdigest()[:20]


def test_a_pseudonym_is_the_truncated_hmac_of_the_identifier() -> None:
    assert pseudonym("10018", KEY) == expected("10018")
    assert len(expected("10018")) == 22
    assert pseudonym("10018", KEY) != pseudonym("10018", KEY + "x")
    assert pseudonym("10018", KEY) != pseudonym("10019", KEY)


@pytest.mark.parametrize("value", [None, "", "   "])
def test_nothing_in_gives_nothing_out(value: str | None) -> None:
    assert pseudonym(value, KEY) is None


@pytest.mark.parametrize(
    ("key", "message"), [(None, "no pseudonym key"), ("short", "fewer than 16")]
)
def test_a_missing_or_short_key_is_refused_with_how_to_set_one(
    key: str | None, message: str
) -> None:
    with pytest.raises(PseudonymKeyError, match=message) as caught:
        pseudonym_key(key)
    assert "BEATWISE_PSEUDONYM_KEY" in str(caught.value)
    with pytest.raises(PseudonymKeyError):
        pseudonym("10018", key)


def test_the_sql_function_agrees_with_python_across_batches_and_nulls() -> None:
    values = [str(i % 3000) for i in range(10_000)] + ["", " "]
    with duckdb.connect() as con:
        register_pseudonym_function(con, KEY)
        register_pseudonym_function(con, KEY)  # a second call with the same key is harmless
        con.execute("CREATE TABLE ids (v VARCHAR)")
        con.executemany("INSERT INTO ids VALUES (?)", [[v] for v in values] + [[None]])
        got = con.execute("SELECT v, pseudonym(v) FROM ids").fetchall()
    assert len(got) == len(values) + 1
    for value, keyed in got:
        assert keyed == (expected(value) if value and value.strip() else None)


def test_one_connection_cannot_hold_two_keys() -> None:
    with duckdb.connect() as con:
        register_pseudonym_function(con, KEY)
        with pytest.raises(PseudonymKeyError, match="another key"):
            register_pseudonym_function(con, KEY[::-1])
    with duckdb.connect() as con, pytest.raises(PseudonymKeyError):
        register_pseudonym_function(con, None)
