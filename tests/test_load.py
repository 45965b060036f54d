"""load()/load_package() give every column the dtype generated from its schema, from a directory or a zip.

``synthetic_rows`` / ``rich_package`` (rows in every table, nulls included) are
also used by test_diff.py and test_clients.py.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from helpers import rewrite
from hypothesis import given, settings
from hypothesis import strategies as st

import bigtech_events
from bigtech_events.errors import UserError
from bigtech_events.loader import PackageFiles
from bigtech_events.release import zip_bytes_to
from bigtech_events.schemas import TABLES, load_schemas, pandas_dtype

REPO = Path(__file__).resolve().parent.parent


def synthetic_rows(schema: dict[str, Any], n: int) -> list[dict[str, Any]]:
    """``n`` rows of the right types (not valid data): unique keys, every enum value, nulls in optional columns."""
    rows = []
    for i in range(n):
        row: dict[str, Any] = {}
        for j, f in enumerate(schema["fields"]):
            c = f.get("constraints", {})
            if not c.get("required") and (i + j) % 3 == 2:
                row[f["name"]] = None
            elif "enum" in c:
                row[f["name"]] = c["enum"][i % len(c["enum"])]
            elif f.get("format") == "uri":
                row[f["name"]] = f"https://example.org/{f['name']}-{i}"
            else:
                row[f["name"]] = {
                    "string": f"{f['name']}-{i}",
                    "integer": i * 10 + j,
                    "number": i + 0.25,
                    "boolean": i % 2 == 0,
                    "date": dt.date(2023, 7, 1) + dt.timedelta(days=i),
                }[f["type"]]
        rows.append(row)
    return rows


def rich_package(built_package: Path, dest: Path, n: int = 4) -> Path:
    """A copy of the built package with ``n`` synthetic rows in every table."""
    shutil.copytree(built_package, dest)
    schemas = load_schemas()
    for table in TABLES:
        rewrite(dest, table, lambda _rows, t=table: synthetic_rows(schemas[t], n))
    return dest


def zip_package(root: Path, dest: Path) -> Path:
    """A release-style zip of a package directory (descriptor and dataset/ only)."""
    files = [root / "datapackage.json", *sorted((root / "dataset").iterdir())]
    zip_bytes_to({p.relative_to(root).as_posix(): p.read_bytes() for p in files}, dest)
    return dest


@pytest.fixture(scope="module")
def rich(built_package: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return rich_package(built_package, tmp_path_factory.mktemp("rich") / "pkg")


def test_every_column_has_the_dtype_generated_from_its_schema(built_package: Path, rich: Path):
    schemas = load_schemas()
    for root in (built_package, rich):
        for table in TABLES:
            df = bigtech_events.load(table, path=root)
            assert list(df.columns) == [f["name"] for f in schemas[table]["fields"]]
            for f in schemas[table]["fields"]:
                assert df[f["name"]].dtype == pandas_dtype(f), (table, f["name"], df[f["name"]].dtype)


def test_dates_enums_integers_booleans_and_strings_load_as_typed_values(rich: Path):
    events = bigtech_events.load("events", path=rich)
    assert events["date_start"].dtype == pd.ArrowDtype(pa.date32())
    assert all(isinstance(v, dt.date) for v in events["date_start"].dropna())
    assert isinstance(events["event_type"].dtype, pd.CategoricalDtype)
    enum = next(f for f in load_schemas()["events"]["fields"] if f["name"] == "event_type")
    assert list(events["event_type"].cat.categories) == enum["constraints"]["enum"]
    assert events["char_start"].dtype == "Int64"
    assert events["summary"].dtype == pd.StringDtype("pyarrow")
    amounts = bigtech_events.load("amounts", path=rich)
    assert amounts["value"].dtype == "Float64"
    assert amounts["approximate"].dtype == "boolean"


def test_missing_values_are_pandas_na(rich: Path):
    events = bigtech_events.load("events", path=rich)
    optional = [f["name"] for f in load_schemas()["events"]["fields"]
                if not f.get("constraints", {}).get("required")]
    assert any(events[c].isna().any() for c in optional)
    raw = pq.read_table(rich / "dataset" / "events.parquet")
    for c in optional:
        assert events[c].isna().sum() == raw.column(c).null_count


def test_zip_loads_the_same_frames_as_the_directory(rich: Path, tmp_path: Path):
    archive = zip_package(rich, tmp_path / "china-bigtech-events-0.1.0.zip")
    for table in TABLES:
        pd.testing.assert_frame_equal(bigtech_events.load(table, path=archive),
                                      bigtech_events.load(table, path=rich))


def test_load_package_returns_every_table_in_order(rich: Path):
    tables = bigtech_events.load_package(rich)
    assert list(tables) == list(TABLES)
    assert all(len(df) == 4 for df in tables.values())
    assert tables["events"].attrs["version"] == json.loads((rich / "datapackage.json").read_text())["version"]


def test_default_path_is_the_repository_package():
    pd.testing.assert_frame_equal(bigtech_events.load("articles"), bigtech_events.load("articles", path=REPO))


def test_unknown_table_is_a_one_line_error(built_package: Path):
    with pytest.raises(UserError, match=r"no table 'event' in the package \(tables: articles, "):
        bigtech_events.load("event", path=built_package)


def test_a_file_whose_hash_differs_is_refused(package_copy: Path):
    with open(package_copy / "dataset" / "events.parquet", "ab") as fh:
        fh.write(b"\0")
    with pytest.raises(UserError, match="events.parquet does not match the sha256"):
        bigtech_events.load("events", path=package_copy)


def test_path_and_version_together_are_refused(built_package: Path):
    with pytest.raises(UserError, match="either path= or version="):
        bigtech_events.load("events", path=built_package, version="0.1.0")


def test_a_path_that_is_no_package_is_refused(tmp_path: Path):
    with pytest.raises(UserError, match="no datapackage.json here"):
        bigtech_events.load("events", path=tmp_path)
    (tmp_path / "x.zip").write_bytes(b"not a zip")
    with pytest.raises(UserError, match="not a package directory or release zip"):
        bigtech_events.load("events", path=tmp_path / "x.zip")


def test_zip_with_the_package_in_one_folder_is_read(rich: Path, tmp_path: Path):
    files = [rich / "datapackage.json", *sorted((rich / "dataset").iterdir())]
    zip_bytes_to({f"pkg/{p.relative_to(rich).as_posix()}": p.read_bytes() for p in files}, tmp_path / "a.zip")
    with PackageFiles(tmp_path / "a.zip") as pkg:
        assert pkg.tables() == list(TABLES)
        assert len(pkg.frame("amounts")) == 4


@settings(max_examples=50)
@given(st.lists(st.tuples(st.none() | st.text(max_size=5), st.none() | st.integers(-2**40, 2**40),
                          st.none() | st.floats(allow_nan=False), st.none() | st.booleans(),
                          st.none() | st.dates(), st.none() | st.sampled_from(["a", "b"])), max_size=20))
def test_arrow_conversion_equals_a_cell_by_cell_conversion(rows):
    from bigtech_events.tableio import to_pandas

    fields = [{"name": "s", "type": "string"}, {"name": "i", "type": "integer"},
              {"name": "f", "type": "number"}, {"name": "b", "type": "boolean"},
              {"name": "d", "type": "date"}, {"name": "e", "type": "string", "constraints": {"enum": ["a", "b"]}}]
    types = [pa.string(), pa.int64(), pa.float64(), pa.bool_(), pa.date32(), pa.string()]
    cols = list(zip(*rows)) if rows else [[] for _ in fields]
    table = pa.table({f["name"]: pa.array(list(c), type=t) for f, c, t in zip(fields, cols, types)})
    expected = pd.DataFrame({f["name"]: pd.Series(list(c), dtype=pandas_dtype(f)) for f, c in zip(fields, cols)})
    got = to_pandas(table, {"fields": fields})
    pd.testing.assert_frame_equal(got, expected, check_exact=True)


def test_dates_filter_with_dates(rich: Path):
    events = bigtech_events.load("events", path=rich)
    cut = events.date_start.dropna().min()
    assert len(events[events.date_start >= cut]) == events.date_start.notna().sum()
    assert len(events[events.date_start > dt.date(2999, 1, 1)]) == 0
