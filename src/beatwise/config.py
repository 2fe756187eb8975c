"""Typed settings read from ``BEATWISE_*`` environment variables (and CLI flags).

Nothing here touches the disk at import time: paths are computed when asked for, so tests and
tools can point ``BEATWISE_HOME`` anywhere before the first call.
"""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache
from pathlib import Path

import platformdirs
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class EngineName(StrEnum):
    """Query engines that can read the warehouse."""

    duckdb = "duckdb"
    pyspark = "pyspark"
    postgres = "postgres"


def _default_home() -> Path:
    return Path(platformdirs.user_data_dir("beatwise", appauthor=False))


class Settings(BaseSettings):
    """Where Beatwise keeps its data and which engines it uses.

    Every field can be set with an environment variable of the same name in capitals prefixed
    with ``BEATWISE_`` (``BEATWISE_HOME``, ``BEATWISE_DB_URL``, ``BEATWISE_ENGINE``).
    """

    model_config = SettingsConfigDict(env_prefix="BEATWISE_", extra="ignore")

    home: Path = Field(default_factory=_default_home)
    db_url: str | None = None
    engine: EngineName = EngineName.duckdb
    pseudonym_key: str | None = None

    @property
    def warehouse_dir(self) -> Path:
        """Folder holding one Delta table per canonical table."""
        return self.home / "warehouse"

    @property
    def cache_dir(self) -> Path:
        """Downloads (such as the demo city's package) kept between runs."""
        return self.home / "cache"

    @property
    def reports_dir(self) -> Path:
        """Reports written by the CLI and the web app."""
        return self.home / "reports"

    @property
    def database_url(self) -> str:
        """The app database: ``db_url`` when given, else a SQLite file in the home folder."""
        if self.db_url:
            return self.db_url
        return f"sqlite:///{self.home / 'beatwise.sqlite'}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings of this process, read once from the environment."""
    return Settings()
