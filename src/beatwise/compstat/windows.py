"""Sums of the daily-count cube over windows, per geography and sheet row, vectorised.

For one level, each cube record has a geography index ``g``, a (category, set key) pair index
``p`` and a day. A window's counts are one weighted ``bincount`` over ``g × p`` of the records
whose day it counts, then a product with the pair × row matrix that says which rows each pair
belongs to. Every window of every sheet at a level costs one pass over that level's records.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from beatwise.compstat.calendar import Window
from beatwise.compstat.cube import SET_SEPARATOR
from beatwise.compstat.rows import RowSpec

Ints = npt.NDArray[np.int64]

_EPOCH = date(1970, 1, 1).toordinal()


@dataclass(frozen=True)
class LevelCounts:
    """One level's cube records, indexed for window sums."""

    geographies: tuple[str, ...]
    cell: Ints
    """Per record: geography index × number of pairs + pair index."""
    days: Ints
    """Per record: days since 1970-01-01."""
    leap_day: npt.NDArray[np.bool_]
    counts: Ints
    row_matrix: Ints
    """Pair × row: 1 where records of that (category, set key) pair count in the row."""

    @classmethod
    def of(
        cls, records: pa.Table, rows: tuple[RowSpec, ...], geographies: tuple[str, ...]
    ) -> LevelCounts:
        """Index ``records`` (cube rows of one level, all in ``geographies``) for ``rows``."""
        geo_codes, _ = _codes(records["geography"], geographies)
        cat_codes, categories = _codes(records["category"])
        set_codes, set_keys = _codes(records["sets"])
        pairs = [
            (c, frozenset(k.split(SET_SEPARATOR)) - {""}) for c in categories for k in set_keys
        ]
        matrix = np.array(
            [[int(r.matches(c, s)) for r in rows] for c, s in pairs], dtype=np.int64
        ).reshape(len(pairs), len(rows))
        pair_codes = cat_codes * len(set_keys) + set_codes
        days = np.asarray(records["day"].cast(pa.int32()).to_numpy(), dtype=np.int64)
        return cls(
            geographies=geographies,
            cell=geo_codes * len(pairs) + pair_codes,
            days=days,
            leap_day=_is_leap_day(days),
            counts=np.asarray(records["count"].to_numpy(), dtype=np.int64),
            row_matrix=matrix,
        )

    def sums(self, window: Window, skip_leap_day: bool = True) -> Ints:
        """Geography × row counts over ``window`` (29 February skipped unless told otherwise)."""
        start, end = (d.toordinal() - _EPOCH for d in (window.start, window.end))
        keep = (self.days >= start) & (self.days <= end)
        if skip_leap_day:
            keep &= ~self.leap_day
        pairs = self.row_matrix.shape[0]
        size = len(self.geographies) * pairs
        by_cell = np.bincount(self.cell[keep], weights=self.counts[keep], minlength=size)
        grid = np.rint(by_cell).astype(np.int64).reshape(len(self.geographies), pairs)
        result: Ints = grid @ self.row_matrix
        return result


def _codes(
    values: pa.ChunkedArray[pa.StringScalar], order: tuple[str, ...] | None = None
) -> tuple[Ints, list[str]]:
    """Integer codes of ``values`` and the distinct values they index (in ``order`` if given)."""
    encoded = values.combine_chunks().dictionary_encode()
    distinct = [str(v) for v in encoded.dictionary.to_pylist()]
    indices = np.asarray(encoded.indices.to_numpy(zero_copy_only=False), dtype=np.int64)
    if order is None:
        return indices, distinct
    position = {v: i for i, v in enumerate(order)}
    remap = np.array([position[v] for v in distinct], dtype=np.int64)
    return (remap[indices] if distinct else indices), list(order)


def _is_leap_day(days: Ints) -> npt.NDArray[np.bool_]:
    """Whether each day (days since 1970-01-01) is 29 February."""
    dates = days.astype("datetime64[D]")
    years = dates.astype("datetime64[Y]")
    year = years.astype(np.int64) + 1970
    leap_year = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    day_of_year = (dates - years).astype(np.int64)
    result: npt.NDArray[np.bool_] = leap_year & (day_of_year == 59)
    return result
