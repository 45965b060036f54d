"""pandas, polars, duckdb and frictionless read the published tables with the same rows as load()."""

from __future__ import annotations

import datetime as dt
import decimal
import math
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import polars as pl
import pytest
from frictionless import Package
from test_load import rich_package, zip_package

import bigtech_events
from bigtech_events.schemas import TABLES, fields, load_schemas


@pytest.fixture(scope="module", params=["built", "rich"])
def package(request: pytest.FixtureRequest, built_package: Path,
            tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The package built from the seeds, and one with synthetic rows (nulls, every type) in every table."""
    if request.param == "built":
        return built_package
    return rich_package(built_package, tmp_path_factory.mktemp("clients") / "pkg")


def _plain(value: Any) -> Any:
    """One Python value per cell, whatever the client's types (NA/NaN/None -> None, dates -> ISO)."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, (dt.date, dt.datetime, pd.Timestamp)):
        return value.isoformat()[:10]
    if isinstance(value, decimal.Decimal):
        return float(value)
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def _rows(records: list[dict[str, Any]] | list[tuple], columns: list[str] | None = None) -> list[tuple]:
    if columns is not None:
        records = [dict(zip(columns, r, strict=True)) for r in records]
    return [tuple(_plain(v) for v in r.values()) for r in records]


def _expected(root: Path, table: str) -> list[tuple]:
    return _rows(bigtech_events.load(table, path=root).to_dict("records"))


def test_pandas_read_parquet_gives_the_same_rows(package: Path):
    for table in TABLES:
        df = pd.read_parquet(package / "dataset" / f"{table}.parquet")
        assert _rows(df.to_dict("records")) == _expected(package, table), table


def test_polars_gives_the_same_rows(package: Path):
    for table in TABLES:
        df = pl.read_parquet(package / "dataset" / f"{table}.parquet")
        assert _rows(df.to_dicts()) == _expected(package, table), table
        csv = pl.read_csv(package / "dataset" / f"{table}.csv", infer_schema=False)
        assert csv.height == df.height and csv.columns == df.columns


def test_duckdb_gives_the_same_rows(package: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(package)
    con = duckdb.connect()
    try:
        for table in TABLES:
            cur = con.execute(f"SELECT * FROM 'dataset/{table}.parquet'")
            columns = [d[0] for d in cur.description]
            assert _rows(cur.fetchall(), columns) == _expected(package, table), table
        total = con.execute("SELECT count(*) FROM read_parquet('dataset/*.parquet', union_by_name = true)")
        assert total.fetchone()[0] == sum(len(bigtech_events.load(t, path=package)) for t in TABLES)
    finally:
        con.close()


def test_frictionless_package_reads_the_same_rows(package: Path, tmp_path: Path):
    archive = zip_package(package, tmp_path / "release.zip")
    for source in (package / "datapackage.json", archive):
        pkg = Package(str(source))
        assert pkg.resource_names == list(TABLES)
        for table in TABLES:
            rows = [row.to_dict() for row in pkg.get_resource(table).read_rows()]
            assert _rows(rows) == _expected(package, table), (source.name, table)


def _string_fields(table: str) -> list[str]:
    return [f["name"] for f in fields(load_schemas()[table]) if f["type"] == "string"]


def test_csv_readers_with_default_options_keep_codes_as_text(package: Path):
    """pandas and polars infer types from a CSV; codes ("CAMEO:057") must come back as the same text."""
    for table in TABLES:
        parquet = pd.read_parquet(package / "dataset" / f"{table}.parquet")
        by_pandas = pd.read_csv(package / "dataset" / f"{table}.csv")
        by_polars = pl.read_csv(package / "dataset" / f"{table}.csv")
        for column in _string_fields(table):
            want = [_plain(v) for v in parquet[column]]
            assert [_plain(v) for v in by_pandas[column]] == want, (table, column, "pandas")
            assert [_plain(v) for v in by_polars[column]] == want, (table, column, "polars")


def test_cameo_codes_keep_their_leading_zero_in_csv(built_package: Path):
    codes = pd.read_csv(built_package / "dataset" / "events.csv")["cameo_code"].dropna()
    assert len(codes) and all(c.startswith("CAMEO:") for c in codes)
    assert any(c.removeprefix("CAMEO:").startswith("0") for c in codes)
