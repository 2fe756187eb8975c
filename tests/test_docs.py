"""Documentation is tested: every CLI command and option appears in docs/cli.md, every table
and column of the data model in docs/data-model.md, and the README gives the two set-up commands
first."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer

from beatwise.cli.main import app
from beatwise.datamodel import TABLES

ROOT = Path(__file__).resolve().parents[1]
CLI_DOC = (ROOT / "docs" / "cli.md").read_text
DATA_MODEL_DOC = (ROOT / "docs" / "data-model.md").read_text


def commands(group: Any, prefix: str = "beatwise") -> Iterator[tuple[str, Any]]:
    """Every command under ``group`` (Typer vendors click, so this goes by duck typing)."""
    yield prefix, group
    for name, command in getattr(group, "commands", {}).items():
        yield from commands(command, f"{prefix} {name}")


COMPLETION = {"install_completion", "show_completion"}
ALL_COMMANDS = list(commands(typer.main.get_command(app)))


@pytest.mark.parametrize(("name", "command"), ALL_COMMANDS, ids=[n for n, _ in ALL_COMMANDS])
def test_every_command_and_option_is_documented(name: str, command: Any) -> None:
    doc = CLI_DOC()
    assert f"## `{name}`" in doc or name == "beatwise", f"docs/cli.md lacks a '## `{name}`' section"
    section = doc if name == "beatwise" else doc.split(f"## `{name}`", 1)[1].split("\n## ", 1)[0]
    for param in command.params:
        if param.param_type_name == "option" and param.name not in COMPLETION:
            option = max(param.opts, key=len)
            assert f"`{option}" in section, f"docs/cli.md, {name}: option {option} is undocumented"


@pytest.mark.parametrize("table", list(TABLES))
def test_every_table_and_column_is_documented(table: str) -> None:
    doc = DATA_MODEL_DOC()
    assert f"### `{table}`" in doc, f"docs/data-model.md lacks a '### `{table}`' section"
    section = doc.split(f"### `{table}`", 1)[1].split("\n### ", 1)[0]
    shared = "".join(
        doc.split(f"### {name}", 1)[1].split("\n### ", 1)[0]
        for name in ("Identity and provenance", "Place")
    )
    for column in TABLES[table].schema.names:
        assert re.search(rf"\| `{column}` \|", section + shared), (
            f"docs/data-model.md: column {table}.{column} is undocumented"
        )


def test_readme_starts_with_the_two_setup_commands() -> None:
    readme = (ROOT / "README.md").read_text()
    first_commands = re.findall(r"^make \w+", readme, flags=re.MULTILINE)[:2]
    assert first_commands == ["make run", "make test"]
