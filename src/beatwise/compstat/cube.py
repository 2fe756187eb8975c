"""Daily counts: the one pass over the incidents that every CompStat window is summed from.

The cube holds, per level, geography, canonical category, comparison-set key and local day,
the number of incidents. Every window of every sheet is a sum over its days, so the warehouse is
scanned once per data version however many sheets, windows and geographies a report has; the
caller keeps the cube (``CubeCache``) while the versions it was built from are current.

Levels are the city (the agency's whole area), every place column the agency's incidents fill
(``district``, ``sector``, ``beat``, ``neighbourhood``, ``ward``, as the source wrote them) and
every boundary layer their points were assigned to (``area_membership``). A boundary layer with
the same name as a place column replaces it: point-in-polygon is the consistent assignment.
Days are ``incidents.occurred_date``, the local calendar day of the occurrence.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import ibis
import pyarrow as pa
import pyarrow.compute as pc

from beatwise.warehouse.engines.base import Engine

if TYPE_CHECKING:
    import ibis.expr.types as ir

CITY = "city"
CITYWIDE = "citywide"
PLACE_COLUMNS = ("district", "sector", "beat", "neighbourhood", "ward")
SET_SEPARATOR = ";"

_CUBE_FIELDS: list[pa.Field[Any]] = [
    pa.field("level", pa.string(), nullable=False),
    pa.field("geography", pa.string(), nullable=False),
    pa.field("category", pa.string(), nullable=False),
    pa.field("sets", pa.string(), nullable=False),
    pa.field("day", pa.date32(), nullable=False),
    pa.field("count", pa.int64(), nullable=False),
]
CUBE_SCHEMA = pa.schema(_CUBE_FIELDS)


@dataclass(frozen=True)
class DataVersion:
    """The warehouse table versions a figure was computed from."""

    incidents: int | None
    area_membership: int | None
    official_counts: int | None

    @classmethod
    def latest(cls, engine: Engine) -> DataVersion:
        """The versions current now."""
        version = engine.warehouse.version
        return cls(version("incidents"), version("area_membership"), version("official_counts"))

    def as_json(self) -> dict[str, int | None]:
        """Table name → Delta version."""
        return {
            "incidents": self.incidents,
            "area_membership": self.area_membership,
            "official_counts": self.official_counts,
        }


@dataclass(frozen=True)
class Cube:
    """Daily counts of one agency's incidents at every level, and the data they came from."""

    agency: str
    version: DataVersion
    levels: tuple[str, ...]
    table: pa.Table
    sets_present: frozenset[str]
    memo: dict[Hashable, Any] = field(default_factory=dict, compare=False, repr=False)
    """Indexes derived from ``table`` (per level), kept as long as the cube is."""

    def level_table(self, level: str) -> pa.Table:
        """The cube's records of one level."""
        key = ("level", level)
        if key not in self.memo:
            self.memo[key] = self.table.filter(pc.field("level") == level)
        table: pa.Table = self.memo[key]
        return table

    def geographies(self, level: str) -> list[str]:
        """The geographies of ``level`` that have incidents."""
        key = ("geographies", level)
        if key not in self.memo:
            found = self.level_table(level)["geography"].unique().to_pylist()
            self.memo[key] = [str(g) for g in found]
        geographies: list[str] = self.memo[key]
        return geographies


def agencies(engine: Engine, version: DataVersion) -> list[str]:
    """The agencies with incidents or official counts, most incidents first."""
    found: dict[str, int] = {}
    for name, pinned in (
        ("incidents", version.incidents),
        ("official_counts", version.official_counts),
    ):
        if not pinned:  # version 0 is the empty table as created
            continue
        t = engine.table(name, pinned)
        rows = engine.to_arrow_table(t.group_by("agency").aggregate(n=t.count()))
        for row in rows.to_pylist():
            agency, n = str(row["agency"]), int(row["n"])
            found[agency] = found.get(agency, 0) + (n if name == "incidents" else 0)
    return sorted(found, key=lambda a: (-found[a], a))


def build_cube(engine: Engine, agency: str, version: DataVersion) -> Cube:
    """Count ``agency``'s dated incidents per level, geography, category, set key and day."""
    if version.incidents is None:
        return Cube(agency, version, (CITY,), CUBE_SCHEMA.empty_table(), frozenset())
    incidents = engine.table("incidents", version.incidents)
    base = _dated(incidents, agency)
    fields = _filled_place_columns(engine, base)
    layers = _layers(engine, version.area_membership)
    fields = [f for f in fields if f not in layers]
    parts = [_count(base, ibis.literal(CITY), ibis.literal(CITYWIDE))]
    parts += [_count(base.filter(base[f].notnull()), ibis.literal(f), base[f]) for f in fields]
    if layers and version.area_membership is not None:
        member = engine.table("area_membership", version.area_membership)
        member = member.filter(member.source_table == "incidents", member.layer.isin(list(layers)))
        joined = base.join(member, base.record_id == member.record_id)
        parts.append(_count(joined, joined.layer, joined.area_id))
    union = ibis.union(*parts, distinct=False)
    table = engine.to_arrow_table(union).cast(CUBE_SCHEMA)
    keys = [str(k) for k in table["sets"].unique().to_pylist()]
    sets = {s for key in keys for s in key.split(SET_SEPARATOR) if s}
    return Cube(agency, version, (CITY, *fields, *sorted(layers)), table, frozenset(sets))


def _dated(incidents: ir.Table, agency: str) -> ir.Table:
    """The agency's incidents with a local date, with the set key every row type needs."""
    rows = incidents.filter(incidents.agency == agency, incidents.occurred_date.notnull())
    sets = ibis.literal(SET_SEPARATOR).join(rows.comparison_sets.sort()).fill_null("")
    return rows.select("record_id", "category", *PLACE_COLUMNS, sets=sets, day=rows.occurred_date)


def _count(rows: ir.Table, level: ir.Value, geography: ir.Value) -> ir.Table:
    keyed = rows.select(  # one nullable type per column, so every part unions alike
        level=level.cast("string"),
        geography=geography.cast("string"),
        category=rows.category.cast("string"),
        sets=rows.sets.cast("string"),
        day=rows.day.cast("date"),
    )
    grouped = keyed.group_by(["level", "geography", "category", "sets", "day"])
    return grouped.aggregate(count=keyed.count())


def _filled_place_columns(engine: Engine, base: ir.Table) -> list[str]:
    """The place columns at least one of the agency's incidents fills, in level order."""
    counts = engine.to_arrow_table(base.aggregate([base[c].count().name(c) for c in PLACE_COLUMNS]))
    return [c for c in PLACE_COLUMNS if counts[c][0].as_py()]


def _layers(engine: Engine, version: int | None) -> set[str]:
    """The boundary layers incidents have been assigned to."""
    if version is None:
        return set()
    member = engine.table("area_membership", version)
    rows = member.filter(member.source_table == "incidents").select("layer").distinct()
    return {str(layer) for layer in engine.to_arrow_table(rows)["layer"].to_pylist()}


class CubeCache:
    """The last few cubes built, by agency and data version (a cube is exact for its version)."""

    def __init__(self, size: int = 4) -> None:
        self.size = size
        self._cubes: OrderedDict[tuple[str, DataVersion], Cube] = OrderedDict()
        self._agencies: tuple[DataVersion, list[str]] | None = None

    def agencies(self, engine: Engine, version: DataVersion) -> list[str]:
        """The agencies loaded at ``version`` (see :func:`agencies`), remembered for it."""
        if self._agencies is None or self._agencies[0] != version:
            self._agencies = (version, agencies(engine, version))
        return self._agencies[1]

    def get(self, engine: Engine, agency: str, version: DataVersion) -> Cube:
        """The cube for ``agency`` at ``version``, built on first use."""
        key = (agency, version)
        if key in self._cubes:
            self._cubes.move_to_end(key)
            return self._cubes[key]
        cube = build_cube(engine, agency, version)
        self._cubes[key] = cube
        while len(self._cubes) > self.size:
            self._cubes.popitem(last=False)
        return cube
