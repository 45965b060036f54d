"""Read a package's tables back into typed pandas frames.

Parquet is read through Arrow; CSV is read as text and each cell converted
by its field type, so a malformed cell becomes a located error instead of a
silently different value.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from .schemas import arrow_schema, pandas_dtype

TRUE = {"true", "True", "TRUE", "1"}
FALSE = {"false", "False", "FALSE", "0"}


#: Arrow column types -> the pandas dtypes of ``schemas.pandas_dtype`` (enums are made categorical
#: after the conversion).
_PANDAS_TYPES = {pa.string(): pd.StringDtype("pyarrow"), pa.large_string(): pd.StringDtype("pyarrow"),
                 pa.int64(): pd.Int64Dtype(), pa.int32(): pd.Int64Dtype(), pa.float64(): pd.Float64Dtype(),
                 pa.bool_(): pd.BooleanDtype(), pa.date32(): pd.ArrowDtype(pa.date32())}


def to_pandas(table: pa.Table, schema: dict[str, Any], categorical: bool = True) -> pd.DataFrame:
    """Arrow table -> DataFrame with the dtypes generated from the schema, converted column-wise by
    Arrow (no Python objects per cell)."""
    table = table.select([f["name"] for f in schema["fields"]])
    df = table.to_pandas(types_mapper=_PANDAS_TYPES.get)
    for f in schema["fields"]:
        dtype = pandas_dtype(f, categorical=categorical)
        if df[f["name"]].dtype != dtype:
            df[f["name"]] = df[f["name"]].astype(dtype)
    return df


def read_parquet(path: Path, schema: dict[str, Any]) -> tuple[pd.DataFrame | None, list[str]]:
    """Read one Parquet table; problems if its columns or types differ from the schema."""
    table_name = path.stem
    try:
        table = pq.read_table(path)
    except Exception as exc:  # noqa: BLE001 - pyarrow raises many types for unreadable files
        return None, [f"{path.name}: cannot read Parquet ({exc}); rebuild the package"]
    expected = arrow_schema(schema)
    problems = []
    if table.schema.names != expected.names:
        problems.append(
            f"{table_name}: Parquet columns {table.schema.names} differ from the schema's "
            f"{expected.names}; rebuild from schemas/"
        )
        return None, problems
    for field in expected:
        got = table.schema.field(field.name).type
        if got != field.type:
            problems.append(
                f"{table_name}:column {field.name}: Parquet type {got} but the schema says {field.type}; "
                "rebuild the package"
            )
    if problems:
        return None, problems
    return to_pandas(table, schema, categorical=False), []


def _convert(value: str, ftype: str) -> Any:
    if ftype == "string":
        return value
    if ftype == "integer":
        return int(value)
    if ftype == "number":
        return float(value)
    if ftype == "boolean":
        if value in TRUE:
            return True
        if value in FALSE:
            return False
        raise ValueError("not a boolean")
    if ftype == "date":
        return dt.date.fromisoformat(value) if len(value) == 10 else _bad_date()
    raise ValueError(ftype)


def _bad_date() -> Any:
    raise ValueError("not a YYYY-MM-DD date")


def read_csv(path: Path, schema: dict[str, Any]) -> tuple[pd.DataFrame | None, list[str]]:
    """Read one CSV table, converting each cell by its field type."""
    table_name = path.stem
    names = [f["name"] for f in schema["fields"]]
    try:
        raw = pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(autogenerate_column_names=False),
            convert_options=pacsv.ConvertOptions(
                column_types={n: pa.string() for n in names},
                strings_can_be_null=True,
                quoted_strings_can_be_null=False,
            ),
        )
    except Exception as exc:  # noqa: BLE001 - pyarrow raises ArrowInvalid and others
        return None, [f"{path.name}: cannot read CSV ({str(exc).splitlines()[0]}); rebuild the package"]
    if raw.column_names != names:
        return None, [(f"{table_name}.csv: header {raw.column_names} differs from the schema's {names}; "
                      "rebuild from schemas/")]
    problems = []
    cols: dict[str, list[Any]] = {}
    for f in schema["fields"]:
        values = raw.column(f["name"]).to_pylist()
        out = []
        for i, v in enumerate(values):
            if v is None:
                out.append(None)
                continue
            try:
                out.append(_convert(v, f["type"]))
            except ValueError:
                problems.append(
                    f"{table_name}.csv:line {i + 2}:column {f['name']}: {v!r} is not a valid "
                    f"{f['type']}; correct the value"
                )
                out.append(None)
        cols[f["name"]] = out
    if problems:
        return None, problems
    table = pa.table({f["name"]: pa.array(cols[f["name"]], type=t.type)
                      for f, t in zip(schema["fields"], arrow_schema(schema), strict=True)})
    return to_pandas(table, schema, categorical=False), []
