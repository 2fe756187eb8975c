"""The mapping-file format: what a YAML mapping may say, checked strictly (no unknown keys).

A mapping describes one agency's export: the target table, the time zone, where each canonical
column comes from and how to read it, how records are identified and located. This module
checks the *shape* of a mapping; ``rules.py`` checks it against the target table's schema, the
taxonomy and the privacy rules; ``loading.py`` turns both kinds of problem into errors that
name the file, the YAML line and the fix. docs/ingest.md documents every key with an example.
"""

from __future__ import annotations

import re
import zoneinfo
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from beatwise.ingest.mappings.expressions import fold

_SLUG = r"^[a-z0-9][a-z0-9-]*$"


def as_text(value: Any) -> Any:
    """YAML scalars as the text they stand for: raw codes are text even when they look numeric.

    ``1`` and ``1.5`` become ``"1"`` and ``"1.5"``; ``true`` becomes ``"true"``. Anything else is
    left for pydantic to refuse.
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return value


def one_or_many(value: Any) -> Any:
    """A single value or a list of values, as a tuple of text values."""
    if isinstance(value, list | tuple):
        return tuple(as_text(v) for v in value)
    return (as_text(value),) if value is not None else value


Text = Annotated[str, BeforeValidator(as_text)]
Names = Annotated[tuple[str, ...], BeforeValidator(one_or_many), Field(min_length=1)]
"""One raw column name, or alternatives tried in order (the first one a file has wins)."""


class Strict(BaseModel):
    """No unknown keys, nothing changed after loading."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class TimeSpec(Strict):
    """The time of day when an export keeps it in its own column (``Time Occurred``)."""

    column: Names
    format: Names
    zero_pad: int | None = Field(default=None, ge=2, le=8)
    """Left-pad digit-only values with zeros to this width first (``415`` → ``0415``)."""


class ColumnSpec(Strict):
    """Where one canonical column comes from and how its raw text is read.

    Exactly one source: ``column`` (one raw column, or alternatives), ``columns`` (several raw
    columns, collected into a list), ``flags`` (yes/no columns, each contributing a value when
    true), ``constant`` or ``first_of`` (the first of several specs that gives a value).
    """

    column: Names | None = None
    columns: Annotated[tuple[Text, ...], Field(min_length=1)] | None = None
    flags: Annotated[dict[Text, Any], Field(min_length=1)] | None = None
    constant: Any = None
    first_of: Annotated[tuple[ColumnSpec, ...], Field(min_length=2)] | None = None
    null_values: tuple[Text, ...] = ()
    pattern: str | None = None
    split: Annotated[str, Field(min_length=1)] | None = None
    map: dict[Text, Any] | None = None
    default: Any = None
    reduce: Literal["max", "min"] | None = None
    format: Names | None = None
    time: TimeSpec | None = None
    true_values: tuple[Text, ...] | None = None
    false_values: tuple[Text, ...] | None = None
    age_band: bool = False
    pseudonymise: bool = False
    required: bool = False
    optional: bool = False

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        """A bare string (or list of strings) is the raw column to copy as is."""
        return {"column": data} if isinstance(data, str | list) else data

    @property
    def has_constant(self) -> bool:
        """Whether ``constant`` was given (it may be given as null)."""
        return "constant" in self.model_fields_set

    @property
    def has_default(self) -> bool:
        """Whether ``default`` was given: without one, an unmapped value is rejected."""
        return "default" in self.model_fields_set

    @property
    def is_list(self) -> bool:
        """Whether the raw side is a list (``split``, ``columns`` or ``flags``)."""
        return self.split is not None or self.columns is not None or self.flags is not None

    @model_validator(mode="after")
    def _consistent(self) -> ColumnSpec:
        sources = [
            name
            for name, given in (
                ("column", self.column is not None),
                ("columns", self.columns is not None),
                ("flags", self.flags is not None),
                ("constant", self.has_constant),
                ("first_of", self.first_of is not None),
            )
            if given
        ]
        if len(sources) != 1:
            found = ", ".join(sources) or "none"
            raise ValueError(
                f"give exactly one of column, columns, flags, constant, first_of (found: {found})"
            )
        _check_pattern(self.pattern)
        _check_map_keys(self.map)
        if self.time is not None and self.format is None:
            raise ValueError("time needs format: the date's own format(s)")
        if self.split is not None and self.column is None:
            raise ValueError("split applies to one raw column (column)")
        if self.pseudonymise:
            _check_pseudonymise(self)
        return self


def _check_pattern(pattern: str | None) -> None:
    if pattern is None:
        return
    try:
        groups = re.compile(pattern).groups
    except re.error as exc:
        raise ValueError(f"pattern {pattern!r} is not a regular expression ({exc})") from None
    if groups > 1:
        raise ValueError(f"pattern {pattern!r} has {groups} groups; use one, the part to keep")


def _check_map_keys(mapping: dict[str, Any] | None) -> None:
    if not mapping:
        return
    seen: dict[str, str] = {}
    for key in mapping:
        folded = fold(key)
        if folded in seen:
            raise ValueError(
                f"map has {seen[folded]!r} and {key!r}, which match the same raw values "
                "(keys match ignoring case and extra spaces)"
            )
        seen[folded] = key


def _check_pseudonymise(spec: ColumnSpec) -> None:
    extra = [
        name
        for name in ("map", "split", "columns", "flags", "format", "first_of", "reduce")
        if getattr(spec, name) is not None
    ]
    if extra or spec.has_constant or spec.age_band:
        raise ValueError(
            "pseudonymise reads one raw identifier (column, optionally pattern) and nothing "
            f"else; remove {', '.join(extra) or 'constant/age_band'}"
        )


class IdSpec(Strict):
    """How a record is identified: the export's own id columns, or derived from its content."""

    columns: Annotated[tuple[Names, ...], Field(min_length=1)] | None = None
    derive: Annotated[tuple[Names, ...], Field(min_length=1)] | None = None

    @model_validator(mode="after")
    def _one(self) -> IdSpec:
        if (self.columns is None) == (self.derive is None):
            raise ValueError("give exactly one of columns (the export's id) or derive")
        return self


class CoordinateSpec(Strict):
    """Where a record's location is: ``lat``/``lon``, projected ``x``/``y`` in ``crs``, or a
    ``point`` column of text like ``(32.78, -96.80)`` or ``POINT (-96.80 32.78)``."""

    lat: Names | None = None
    lon: Names | None = None
    x: Names | None = None
    y: Names | None = None
    crs: str | None = None
    point: Names | None = None
    precision: Literal["exact", "block", "intersection", "area-only"] = "exact"
    optional: bool = False

    @property
    def kind(self) -> Literal["latlon", "xy", "point"]:
        """Which of the three forms this is."""
        if self.point is not None:
            return "point"
        return "xy" if self.x is not None else "latlon"

    @model_validator(mode="after")
    def _one_form(self) -> CoordinateSpec:
        latlon = self.lat is not None or self.lon is not None
        xy = self.x is not None or self.y is not None or self.crs is not None
        if latlon + xy + (self.point is not None) != 1:
            raise ValueError("give lat and lon, or x, y and crs, or point")
        if latlon and (self.lat is None or self.lon is None):
            raise ValueError("lat and lon go together")
        if xy and (self.x is None or self.y is None or self.crs is None):
            raise ValueError("x, y and crs go together (lat and lon are WGS84)")
        if self.crs is not None:
            _check_crs(self.crs)
        return self


def _check_crs(crs: str) -> None:
    from pyproj import CRS
    from pyproj.exceptions import CRSError

    try:
        CRS.from_user_input(crs)
    except CRSError:
        raise ValueError(f"crs {crs!r} is not a known CRS (use e.g. 'EPSG:2276')") from None


def _one_or_list(value: Any) -> Any:
    return [value] if isinstance(value, dict) else value


class Mapping(Strict):
    """One export's mapping onto a canonical table (the whole YAML file)."""

    name: Annotated[str, Field(pattern=_SLUG)]
    version: Text
    title: str
    agency: str
    table: str
    time_zone: str
    credit: str
    licence: str | None = None
    notes: str | None = None
    source: str | None = None
    id: IdSpec
    columns: dict[str, ColumnSpec]
    coordinates: Annotated[tuple[CoordinateSpec, ...], BeforeValidator(_one_or_list)] = ()
    extent: tuple[float, float, float, float] | None = None
    required_columns: tuple[Text, ...] = ()
    null_values: tuple[Text, ...] = ()

    @property
    def source_name(self) -> str:
        """The ``source`` the rows carry in the warehouse (``mapping:<name>`` by default)."""
        return self.source or f"mapping:{self.name}"

    @field_validator("time_zone")
    @classmethod
    def _zone(cls, zone: str) -> str:
        try:
            zoneinfo.ZoneInfo(zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"{zone!r} is not an IANA time zone (e.g. 'America/Chicago')"
            ) from None
        return zone

    @field_validator("extent")
    @classmethod
    def _extent(
        cls, extent: tuple[float, float, float, float] | None
    ) -> tuple[float, float, float, float] | None:
        if extent is not None:
            min_lon, min_lat, max_lon, max_lat = extent
            if not (-180 <= min_lon < max_lon <= 180 and -90 <= min_lat < max_lat <= 90):
                raise ValueError("extent is [min_lon, min_lat, max_lon, max_lat] in degrees")
        return extent
