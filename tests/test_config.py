"""Settings come from BEATWISE_* variables, and the defaults stay inside the home folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from beatwise.config import EngineName, Settings


def test_environment_sets_home_database_and_engine(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BEATWISE_HOME", str(tmp_path))
    monkeypatch.setenv("BEATWISE_DB_URL", "postgresql://db.example/beatwise")
    monkeypatch.setenv("BEATWISE_ENGINE", "pyspark")
    settings = Settings()
    assert settings.home == tmp_path
    assert settings.database_url == "postgresql://db.example/beatwise"
    assert settings.engine is EngineName.pyspark


def test_defaults_keep_everything_under_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("BEATWISE_DB_URL", raising=False)
    settings = Settings(home=tmp_path)
    assert settings.database_url == f"sqlite:///{tmp_path / 'beatwise.sqlite'}"
    for folder in (settings.warehouse_dir, settings.cache_dir, settings.reports_dir):
        assert folder.parent == tmp_path
    assert not any(tmp_path.iterdir()), "settings must not touch the disk"


def test_unknown_engine_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BEATWISE_ENGINE", "oracle")
    with pytest.raises(ValueError, match="duckdb"):
        Settings()
