"""Keyed pseudonyms for people: officers and repeat-contact persons, never stored raw.

A pseudonym is ``"p_"`` + the first 20 hex digits (80 bits) of HMAC-SHA256 of the identifier
under the deployment's secret key (``BEATWISE_PSEUDONYM_KEY``, setting ``pseudonym_key``). The
same identifier always gets the same pseudonym under one key, so repeat contacts and an
officer's reports can be linked; without the key nobody can go back from a pseudonym to the
badge number, nor test a guessed badge number against it (an unkeyed hash of a 5-digit badge
number is reversed by trying all 100,000). HMAC is RFC 2104 with SHA-256 (FIPS 180-4).

The key lives in the settings, never in the data directory: a leaked warehouse alone reveals
no identifier. Changing the key changes every pseudonym, so it is set once per deployment.
"""

from __future__ import annotations

import hmac
import weakref
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
from duckdb.func import FunctionNullHandling, PythonUDFType

PREFIX = "p_"
HEX_DIGITS = 20
MIN_KEY_LENGTH = 16
FUNCTION_NAME = "pseudonym"
CACHE_ENTRIES = 1 << 20
"""Distinct identifiers remembered across batches (officers recur; memory stays bounded)."""

_Registry = weakref.WeakKeyDictionary[duckdb.DuckDBPyConnection, str]
_REGISTERED: _Registry = weakref.WeakKeyDictionary()
"""Connections with ``pseudonym()`` defined, and a fingerprint of the key they use."""

_HOW_TO_SET = (
    "set BEATWISE_PSEUDONYM_KEY (setting pseudonym_key) to a long random secret, e.g. the "
    "output of: python -c 'import secrets; print(secrets.token_hex(32))'; keep it outside the "
    "data directory and never change it, or keys will not match across imports"
)


class PseudonymKeyError(ValueError):
    """The deployment has no usable pseudonym key; the message says how to set one."""


def pseudonym_key(key: str | None) -> bytes:
    """The key as bytes, refusing a missing or short one (``PseudonymKeyError``).

    Refusing is the only safe answer: without a key, identifiers would have to be stored raw
    or hashed without a secret, which is as good as raw for short badge numbers.
    """
    if not key:
        raise PseudonymKeyError(f"no pseudonym key is set: {_HOW_TO_SET}")
    if len(key) < MIN_KEY_LENGTH:
        raise PseudonymKeyError(
            f"the pseudonym key is {len(key)} characters, fewer than {MIN_KEY_LENGTH}: "
            + _HOW_TO_SET
        )
    return key.encode()


def pseudonym(value: str | None, key: str | None) -> str | None:
    """The keyed pseudonym of ``value``; None or an empty (or blank) value gives None.

    Examples
    --------
    >>> pseudonym("10018", "a deployment secret of some length")
    'p_...'  # doctest: +SKIP
    >>> pseudonym("", "a deployment secret of some length") is None
    True
    """
    secret = pseudonym_key(key)
    if value is None or not value.strip():
        return None
    return _digest(secret, value)


def _digest(secret: bytes, value: str) -> str:
    return PREFIX + hmac.digest(secret, value.encode(), "sha256").hex()[:HEX_DIGITS]


def _cached(known: dict[str, str | None], secret: bytes, value: str | None) -> str | None:
    if value is None:
        return None
    if value not in known:
        known[value] = _digest(secret, value) if value.strip() else None
    return known[value]


def register_pseudonym_function(con: duckdb.DuckDBPyConnection, key: str | None) -> None:
    """Define the SQL function ``pseudonym(VARCHAR) -> VARCHAR`` on ``con`` under ``key``.

    The function is vectorised (``type="arrow"``): each batch is dictionary-encoded and the
    pseudonyms of identifiers already seen are remembered, so the HMAC runs about once per
    distinct identifier (officers appear in many reports); NULL or blank input gives NULL.
    Registering again with the same key is a no-op, so each file of an import can ask for it;
    another key on the same connection, or a missing or short key, raises
    ``PseudonymKeyError``.
    """
    secret = pseudonym_key(key)
    fingerprint = _digest(secret, "registered")
    if con in _REGISTERED:
        if _REGISTERED[con] != fingerprint:
            raise PseudonymKeyError("this connection already has pseudonym() under another key")
        return

    known: dict[str, str | None] = {}

    # DuckDB evaluates these annotations at run time, where pa.Array[...] is not subscriptable.
    def batch(values: Any) -> Any:
        if isinstance(values, pa.ChunkedArray):
            values = values.combine_chunks()
        encoded = values.dictionary_encode()
        if len(known) > CACHE_ENTRIES:
            known.clear()
        keyed = [_cached(known, secret, v) for v in encoded.dictionary.to_pylist()]
        return pc.take(pa.array(keyed, pa.string()), encoded.indices)

    con.create_function(
        FUNCTION_NAME,
        batch,
        ["varchar"],
        "varchar",
        type=PythonUDFType.ARROW,
        null_handling=FunctionNullHandling.SPECIAL,
        side_effects=False,
    )
    _REGISTERED[con] = fingerprint
