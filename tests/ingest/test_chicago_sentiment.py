"""The Chicago Police Sentiment Scores loader: wide export → long ``survey_scores`` rows."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from beatwise.config import Settings
from beatwise.ingest.errors import BadInputError
from beatwise.ingest.sources.chicago_sentiment import (
    MeasureColumn,
    ingest_sentiment,
    measure_column,
)
from beatwise.warehouse import Warehouse
from beatwise.warehouse.engines import open_engine

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "sentiment"
REAL_FILE = (
    ROOT.parent / "shared" / "data" / "chicago" / "chicago_police_sentiment_scores_raw_elucd.csv"
)

LONG_COLUMNS = (
    "source_line",
    "layer",
    "area_id",
    "period_start",
    "period_end",
    "measure",
    "group_dimension",
    "group_value",
    "score",
)


def long_rows(warehouse: Warehouse) -> list[tuple[object, ...]]:
    rows = warehouse.to_arrow("survey_scores").to_pylist()
    return sorted(tuple(r[c] for c in LONG_COLUMNS) for r in rows)


def test_each_filled_cell_becomes_one_long_row(settings: Settings) -> None:
    warehouse = Warehouse(settings.warehouse_dir)
    result = ingest_sentiment(warehouse, [FIXTURES / "elucd_small.csv"])
    week, month = (date(2019, 3, 3), date(2019, 3, 9)), (date(2018, 5, 1), date(2018, 5, 31))
    nov, jan = (date(2020, 11, 1), date(2020, 11, 30)), (date(2021, 1, 1), date(2021, 1, 31))
    south = (date(2017, 12, 10), date(2017, 12, 16))
    assert long_rows(warehouse) == sorted(
        [
            (2, "city", "chicago", *week, "safety", "all", "all", 61.95),
            (2, "city", "chicago", *week, "safety", "race", "african_american", 58.2),
            (2, "city", "chicago", *week, "trust", "all", "all", 62.44),
            (2, "city", "chicago", *week, "trust", "sex", "female", 61.01),
            (3, "area", "south", *south, "safety", "all", "all", 65.88),
            (3, "area", "south", *south, "safety", "age", "low", 65.91),
            (4, "area", "4", *month, "trust", "all", "all", 53.39),
            (4, "area", "4", *month, "trust", "income", "high", 52.96),
            (5, "sector", "1610", *nov, "safety", "all", "all", 70.71),
            (5, "sector", "1610", *nov, "trust_listen", "all", "all", 77.4),
            (5, "sector", "1610", *nov, "trust_listen", "education", "high", 82.44),
            (5, "sector", "1610", *nov, "trust_respect", "race", "asian_american", 45.97),
            (6, "district", "8", *jan, "safety", "sex", "male", 100.0),
            (6, "district", "8", *jan, "trust", "all", "all", 0.0),
        ]
    )
    assert (result.rows_read, result.rows_inserted, result.rows_rejected) == (5, 14, 0)
    table = warehouse.to_arrow("survey_scores").to_pylist()
    first = next(r for r in table if r["source_line"] == 2 and r["group_value"] == "female")
    assert first["source_record_id"] == "city|chicago|2019-03-03|2019-03-09|trust|sex|female"
    assert first["vendor"] == "Elucd" and first["respondents"] is None
    assert first["source"] == "chicago-sentiment" and first["agency"] == "Chicago Police Department"
    assert len({r["record_id"] for r in table}) == 14


def test_reimport_keeps_the_same_rows_and_records_provenance(
    settings: Settings, tmp_path: Path
) -> None:
    warehouse = Warehouse(settings.warehouse_dir)
    path = FIXTURES / "elucd_small.csv"
    first = ingest_sentiment(warehouse, [path])
    before = long_rows(warehouse)
    # The same export again: every score is unchanged, so nothing is written, no new version.
    second = ingest_sentiment(warehouse, [path])
    assert long_rows(warehouse) == before
    assert (second.rows_inserted, second.rows_updated, second.rows_unchanged) == (0, 0, 14)
    assert second.version == first.version == warehouse.version("survey_scores")
    assert {r["ingest_id"] for r in warehouse.to_arrow("survey_scores").to_pylist()} == {
        first.ingest_id
    }
    # A revised export with one score corrected updates that one row, in place.
    revised = tmp_path / "elucd_revised.csv"
    revised.write_text(path.read_text().replace(",61.95,", ",63.5,", 1))
    third = ingest_sentiment(warehouse, [revised])
    assert (third.rows_inserted, third.rows_updated, third.rows_unchanged) == (0, 1, 13)
    assert third.version == first.version + 1
    scores = warehouse.to_arrow("survey_scores").to_pylist()
    assert len(scores) == 14
    changed = [r for r in scores if r["ingest_id"] == third.ingest_id]
    assert [(r["area_id"], r["measure"], r["group_value"], r["score"]) for r in changed] == [
        ("chicago", "safety", "all", 63.5)
    ]
    assert changed[0]["source_file"] == str(revised)
    ingests = {r["ingest_id"]: r for r in warehouse.to_arrow("ingests").to_pylist()}
    assert set(ingests) == {first.ingest_id, second.ingest_id, third.ingest_id}
    written = {
        i: (r["target_table"], r["rows_read"], r["rows_written"]) for i, r in ingests.items()
    }
    assert written == {
        first.ingest_id: ("survey_scores", 5, 14),
        second.ingest_id: ("survey_scores", 5, 0),
        third.ingest_id: ("survey_scores", 5, 1),
    }
    row = ingests[second.ingest_id]
    assert row["target_version"] == first.version
    assert row["files"] == [str(path)] and len(row["file_sha256"][0]) == 64


def test_bad_lines_and_cells_go_to_rejects_and_later_lines_win(settings: Settings) -> None:
    warehouse = Warehouse(settings.warehouse_dir)
    path = FIXTURES / "elucd_bad.csv"
    result = ingest_sentiment(warehouse, [path])
    week = (date(2019, 3, 3), date(2019, 3, 9))
    assert long_rows(warehouse) == [
        (2, "city", "chicago", *week, "trust", "all", "all", 62.44),
        (4, "district", "4", date(2019, 3, 1), date(2019, 3, 31), "trust", "all", "all", 55.5),
        (5, "city", "chicago", *week, "safety", "all", "all", 61.35),
    ]
    rejects = warehouse.to_arrow("rejects").to_pylist()
    assert [(r["source_line"], r["column"], r["value"]) for r in rejects] == [
        (3, "END_DATE", "2019-03-09"),
        (3, "START_DATE", "2019-03-03"),
        (4, "SAFETY", "n/a"),
        (4, "S_RACE_WHITE", "101.5"),
        (6, "CITY", None),
        (7, "END_DATE", "03/03/2019"),
    ]
    assert {r["ingest_id"] for r in rejects} == {result.ingest_id}
    assert all(r["source_file"] == str(path) for r in rejects)
    assert "M/D/YYYY" in rejects[1]["reason"] and "0 to 100" in rejects[2]["reason"]
    assert "no place" in rejects[4]["reason"] and "before START_DATE" in rejects[5]["reason"]
    assert (result.rows_read, result.rows_inserted, result.rows_rejected) == (6, 3, 4)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("CITY,AREA,DISTRICT,START_DATE,END_DATE,SAFETY", "missing column(s) SECTOR, TRUST"),
        (
            "CITY,AREA,DISTRICT,SECTOR,SAFETY,TRUST,S_MOOD_HAPPY,START_DATE,END_DATE",
            "unexpected column(s) S_MOOD_HAPPY",
        ),
    ],
)
def test_a_file_that_is_not_the_export_is_refused_before_any_write(
    settings: Settings, tmp_path: Path, header: str, expected: str
) -> None:
    warehouse = Warehouse(settings.warehouse_dir)
    wrong = tmp_path / "wrong.csv"
    wrong.write_text(header + "\n" + ",".join("1" for _ in header.split(",")) + "\n")
    with pytest.raises(BadInputError) as caught:
        ingest_sentiment(warehouse, [FIXTURES / "elucd_small.csv", wrong])
    message = str(caught.value)
    assert str(wrong) in message and "line 1" in message and expected in message
    assert warehouse.status("survey_scores").rows == 0
    assert warehouse.status("ingests").rows == 0


def test_group_columns_are_parsed_not_listed() -> None:
    assert measure_column("T_RESPECT") == MeasureColumn("T_RESPECT", "trust_respect", "all", "all")
    assert measure_column("S_RACE_NATIVE_AMERICAN") == MeasureColumn(
        "S_RACE_NATIVE_AMERICAN", "safety", "race", "native_american"
    )
    assert measure_column("T_LISTEN_AGE_LOW") == MeasureColumn(
        "T_LISTEN_AGE_LOW", "trust_listen", "age", "low"
    )
    assert measure_column("T_MOOD_HAPPY") is None and measure_column("START_DATE") is None


def _pandas_long(path: Path) -> pd.DataFrame:
    """The real file reshaped with pandas alone: an independent reading of the same rules."""
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    raw["line"] = range(2, len(raw) + 2)
    place = ["SECTOR", "DISTRICT", "AREA", "CITY"]
    raw["layer"] = raw[place].ne("").idxmax(axis=1).str.lower()
    place_columns = ["ORG_LEVEL", *place, "START_DATE", "END_DATE", "line", "layer"]
    scores = [c for c in raw.columns if c not in place_columns]
    long = raw.melt(id_vars=place_columns, value_vars=scores, var_name="column")
    long = long[long["value"] != ""].sort_values("line", kind="stable")
    key = ["layer", *place, "START_DATE", "END_DATE", "column"]
    long = long.drop_duplicates(subset=key, keep="last")
    prefix = long["column"].str.extract(r"^(T_LISTEN|T_RESPECT|S|T)", expand=False)
    long["measure"] = prefix.map(
        {"S": "safety", "T": "trust", "T_LISTEN": "trust_listen", "T_RESPECT": "trust_respect"}
    )
    long["score"] = long["value"].astype(float)
    long["year"] = pd.to_datetime(long["START_DATE"], format="%m/%d/%Y").dt.year
    return long


@pytest.mark.realdata
def test_the_real_export_agrees_with_an_independent_pandas_melt(settings: Settings) -> None:
    if not REAL_FILE.is_file():
        pytest.skip(f"the real data is not here: {REAL_FILE} (see ../shared/data/README.md)")
    warehouse = Warehouse(settings.warehouse_dir)
    result = ingest_sentiment(warehouse, [REAL_FILE])
    expected = _pandas_long(REAL_FILE)
    assert (result.rows_read, result.rows_rejected) == (4744, 0)
    assert result.rows_inserted == len(expected) == 199_774
    with open_engine("duckdb", warehouse) as engine:
        scores = engine.table("survey_scores")
        per_measure = engine.to_arrow_table(scores.group_by("measure").agg(n=scores.count()))
        city = scores.filter(
            (scores.layer == "city") & (scores.measure == "trust") & (scores.group_value == "all")
        )
        yearly = city.group_by(year=city.period_start.year()).agg(mean=city.score.mean())
        mean_trust = engine.to_arrow_table(yearly).to_pandas().set_index("year")["mean"]
    got = dict(zip(per_measure["measure"].to_pylist(), per_measure["n"].to_pylist(), strict=True))
    assert got == expected.groupby("measure").size().to_dict()
    citywide = expected[(expected["layer"] == "city") & (expected["column"] == "TRUST")]
    want = citywide.groupby("year")["score"].mean()
    assert sorted(mean_trust.index) == list(want.index) == [2017, 2018, 2019, 2020, 2021]
    for year, mean in want.items():
        assert mean_trust[year] == pytest.approx(mean, abs=1e-9)
