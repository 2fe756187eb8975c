"""Read a mapping file: strict YAML with line numbers, then the model, then the rules.

Every problem becomes one :class:`MappingError` naming the file, the YAML line of each problem
and its fix. YAML's own surprises are switched off: ``yes``/``no``/``on``/``off`` stay text
(raw codes like ``NO`` are common) and dates stay text; a key given twice is an error, where
plain YAML would silently keep the last one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from pydantic_core import ErrorDetails

from beatwise.ingest.errors import BadInputError
from beatwise.ingest.mappings.model import ColumnSpec, CoordinateSpec, IdSpec, Mapping, TimeSpec
from beatwise.ingest.mappings.rules import Issue, Loc, check

GUIDE = "docs/ingest.md, 'Mapping files'"


@dataclass
class MappingError(BadInputError):
    """A mapping file refused: every problem with its line and fix (the first in the fields)."""

    issues: tuple[tuple[int | None, Issue], ...] = ()

    def __str__(self) -> str:
        if len(self.issues) <= 1:
            return super().__str__()
        lines = [f"{self.path}: {len(self.issues)} problems"]
        for line, issue in self.issues:
            where = f"line {line}, " if line is not None else ""
            place = ".".join(str(p) for p in issue.loc) or "(file)"
            lines.append(f"  {where}{place}: {issue.message}. Fix: {issue.fix}")
        return "\n".join(lines)


class _Loader(yaml.SafeLoader):
    """SafeLoader reading only plain numbers and true/false; everything else stays text.

    YAML 1.1 would read ``NO`` as false, ``0710`` as octal 456, ``12:30`` as 750 (base 60)
    and ``2019-01-01`` as a date: all common raw codes.
    """


_TAG = "tag:yaml.org,2002:"
_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag.removeprefix(_TAG) in {"null", "merge"}]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
for _tag, _pattern in (
    ("bool", r"true|True|TRUE|false|False|FALSE"),
    ("int", r"[-+]?(?:0|[1-9][0-9]*)"),
    ("float", r"[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?"),
):
    _Loader.add_implicit_resolver(_TAG + _tag, re.compile(f"^(?:{_pattern})$"), None)


def parse_yaml(text: str, path: Path | str) -> tuple[Any, dict[Loc, int]]:
    """The document in ``text`` and the line of every key and item in it."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise _error(path, [(None, Issue((), "the file is empty", "write a mapping"))])
        lines: dict[Loc, int] = {}
        return _construct(loader, node, (), lines, path), lines
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        issue = Issue((), f"is not valid YAML ({exc.problem})", "correct the YAML syntax")
        raise _error(path, [(line, issue)]) from None
    finally:
        loader.dispose()


def _construct(
    loader: _Loader, node: yaml.Node, loc: Loc, lines: dict[Loc, int], path: Path | str
) -> Any:
    lines[loc] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                line = key_node.start_mark.line + 1
                issue = Issue(loc, "a key must be plain text", "write the key as text")
                raise _error(path, [(line, issue)])
            key = key_node.value  # as written: raw codes like 0710 or 1.50 stay themselves
            if key in result:
                line = key_node.start_mark.line + 1
                issue = Issue((*loc, key), f"key {key!r} is given twice", "keep one of them")
                raise _error(path, [(line, issue)])
            result[key] = _construct(loader, value_node, (*loc, key), lines, path)
            lines[(*loc, key)] = key_node.start_mark.line + 1
        return result
    if isinstance(node, yaml.SequenceNode):
        return [
            _construct(loader, item, (*loc, i), lines, path) for i, item in enumerate(node.value)
        ]
    return loader.construct_object(node)


def parse_mapping(text: str, path: Path | str) -> Mapping:
    """The mapping written in ``text`` (the contents of ``path``), or a ``MappingError``."""
    data, lines = parse_yaml(text, path)
    try:
        mapping = Mapping.model_validate(data)
    except ValidationError as exc:
        issues = [_issue(error) for error in exc.errors()]
        raise _error(path, [(_line(lines, i.loc), i) for i in issues]) from None
    problems = check(mapping)
    if problems:
        raise _error(path, [(_line(lines, i.loc), i) for i in problems])
    return mapping


def _line(lines: dict[Loc, int], loc: Loc) -> int | None:
    for end in range(len(loc), -1, -1):
        if loc[:end] in lines:
            return lines[loc[:end]]
    return None


def _issue(error: ErrorDetails) -> Issue:
    loc = tuple(error["loc"])
    message = error["msg"].removeprefix("Value error, ")
    if error["type"] == "extra_forbidden":
        allowed = ", ".join(_allowed_keys(loc[:-1]))
        return Issue(loc, f"unknown key {loc[-1]!r}", f"use one of: {allowed} (see {GUIDE})")
    if error["type"] == "missing":
        return Issue(loc, f"{loc[-1]} is missing", f"add {loc[-1]} (see {GUIDE})")
    return Issue(loc, message, f"see {GUIDE}")


def _allowed_keys(loc: Loc) -> list[str]:
    """The keys allowed at ``loc`` (the place of an unknown key), for the error's fix."""
    model: type[Any] = Mapping
    parts = list(loc)
    while parts:
        part = parts.pop(0)
        if part in {"columns", "first_of"}:
            model = ColumnSpec
            if parts:
                parts.pop(0)  # the column's name, or the item's index
        elif part in {"time", "id"}:
            model = TimeSpec if part == "time" else IdSpec
        elif part == "coordinates":
            model = CoordinateSpec
            if parts and isinstance(parts[0], int):
                parts.pop(0)
    return list(model.model_fields)


def _error(path: Path | str, issues: list[tuple[int | None, Issue]]) -> MappingError:
    line, first = issues[0]
    place = ".".join(str(p) for p in first.loc)
    message = f"{place}: {first.message}" if place else first.message
    return MappingError(path, message, first.fix, line=line, issues=tuple(issues))


FILES = resources.files("beatwise.ingest.mappings") / "files"


def shipped_mappings() -> list[str]:
    """Names of the mapping files that ship with Beatwise (``--mapping NAME``)."""
    return sorted(p.name.removesuffix(".yaml") for p in FILES.iterdir() if p.name.endswith(".yaml"))


def load_mapping(name_or_path: str | Path) -> Mapping:
    """A shipped mapping by name (``dallas-use-of-force``), or a mapping file by path.

    Anything that names an existing file, contains a path separator or ends in ``.yaml`` /
    ``.yml`` is a path; otherwise it is a shipped name, and an unknown one is refused with
    the list of shipped names.
    """
    text_ref = str(name_or_path)
    as_path = Path(name_or_path)
    if as_path.is_file() or "/" in text_ref or text_ref.endswith((".yaml", ".yml")):
        if not as_path.is_file():
            raise BadInputError(as_path, "no such mapping file", "check the path")
        return parse_mapping(as_path.read_text(encoding="utf-8"), as_path)
    shipped = FILES / f"{text_ref}.yaml"
    if not shipped.is_file():
        raise BadInputError(
            text_ref,
            "is neither a mapping file nor a shipped mapping",
            f"give a path to a .yaml file, or one of: {', '.join(shipped_mappings())}",
        )
    return parse_mapping(shipped.read_text(encoding="utf-8"), f"{text_ref} (shipped)")
