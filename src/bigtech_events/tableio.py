"""Read a package's tables back into typed pandas frames, whole or a batch of rows at a time.

Parquet is read through Arrow; CSV is read as text and each column converted
by its field type (by Arrow; a column Arrow refuses is converted cell by cell
in Python), so a malformed cell becomes a located error instead of a
silently different value.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
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


def parquet_problems(table_name: str, got: pa.Schema, schema: dict[str, Any]) -> list[str]:
    """Problems if a Parquet file's columns or types differ from the schema."""
    expected = arrow_schema(schema)
    if got.names != expected.names:
        return [(f"{table_name}: Parquet columns {got.names} differ from the schema's "
                 f"{expected.names}; rebuild from schemas/")]
    return [f"{table_name}:column {field.name}: Parquet type {got.field(field.name).type} but the schema says "
            f"{field.type}; rebuild the package"
            for field in expected if got.field(field.name).type != field.type]


def read_parquet(path: Path, schema: dict[str, Any]) -> tuple[pd.DataFrame | None, list[str]]:
    """Read one Parquet table; problems if its columns or types differ from the schema."""
    try:
        table = pq.read_table(path)
    except Exception as exc:  # noqa: BLE001 - pyarrow raises many types for unreadable files
        return None, [f"{path.name}: cannot read Parquet ({exc}); rebuild the package"]
    problems = parquet_problems(path.stem, table.schema, schema)
    if problems:
        return None, problems
    return to_pandas(table, schema, categorical=False), []


def parquet_stream(path: Path) -> pq.ParquetFile:
    """A Parquet file to be read a batch at a time (``iter_batches``), in memory bounded by a batch.

    pyarrow's ``pre_buffer`` (on by default) caches the column chunks of row groups ahead of the
    batch read, more the longer the file: reading the mentions of 100,000 articles a batch at a
    time held 41 MB in Arrow with it and 3 MB without, in the same time (10,000 articles: 6 and 3).
    """
    return pq.ParquetFile(path, pre_buffer=False)


def open_parquet(path: Path, schema: dict[str, Any],
                 batch_rows: int) -> tuple[Iterator[pa.RecordBatch] | None, list[str]]:
    """Record batches of one Parquet table (memory: one batch), after checking its columns and types.

    Reading a batch may still raise (a damaged page): :func:`parquet_error` says it in one line.
    """
    try:
        pf = parquet_stream(path)
    except Exception as exc:  # noqa: BLE001 - pyarrow raises many types for unreadable files
        return None, [_unreadable_parquet(path, exc)]
    problems = parquet_problems(path.stem, pf.schema_arrow, schema)
    if problems:
        return None, problems
    return pf.iter_batches(batch_size=batch_rows), []


def _unreadable_parquet(path: Path, exc: Exception) -> str:
    """The problem of a file that is not Parquet, in the words of :func:`read_parquet` (whose reader
    names the file in its message)."""
    try:
        pq.read_table(path, columns=[])
    except Exception as again:  # noqa: BLE001 - as above
        exc = again
    return parquet_error(path, exc)


def parquet_error(path: Path, exc: Exception) -> str:
    return f"{path.name}: cannot read Parquet ({exc}); rebuild the package"


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


def csv_options(schema: dict[str, Any], include_columns: list[str] | None = None) -> pacsv.ConvertOptions:
    """Every column (or those included) read as text, an empty unquoted cell as null."""
    return pacsv.ConvertOptions(column_types={f["name"]: pa.string() for f in schema["fields"]},
                                strings_can_be_null=True, quoted_strings_can_be_null=False,
                                include_columns=include_columns)


def csv_error(path: Path, exc: Exception) -> str:
    return f"{path.name}: cannot read CSV ({str(exc).splitlines()[0]}); rebuild the package"


def _header_problem(path: Path, got: list[str], schema: dict[str, Any]) -> list[str]:
    names = [f["name"] for f in schema["fields"]]
    if got == names:
        return []
    return [f"{path.stem}.csv: header {got} differs from the schema's {names}; rebuild from schemas/"]


#: Bytes of CSV text Arrow's streaming reader parses at a time. The reader reads up to 32 blocks
#: ahead of the batches taken, on a thread of its own: with 4 MB blocks that was 128 MB of a
#: 240 MB file held while the batches were checked; with 512 KB blocks 16 MB, with 256 KB 8 MB
#: (reading the 240 MB took 0.43 s with either).
CSV_BLOCK = 1 << 18


def open_csv(path: Path, schema: dict[str, Any],
             block_bytes: int = CSV_BLOCK) -> tuple[Iterator[pa.RecordBatch] | None, list[str]]:
    """Record batches of one CSV table as text (memory: a few MB ahead), after checking its header.

    Convert each with :func:`convert_csv`; reading a batch may still raise (see :func:`csv_error`).
    """
    file = pa.OSFile(str(path))  # Arrow's own file: its reading thread never calls into Python
    try:
        reader = pacsv.open_csv(file, read_options=pacsv.ReadOptions(block_size=block_bytes),
                                convert_options=csv_options(schema))
    except Exception as exc:  # noqa: BLE001 - pyarrow raises ArrowInvalid and others
        file.close()
        return None, [csv_error(path, exc)]
    problems = _header_problem(path, reader.schema.names, schema)
    if problems:
        file.close()
        return None, problems
    return _closing(reader, file), problems


def _closing(reader: pacsv.CSVStreamingReader, file: pa.NativeFile) -> Iterator[pa.RecordBatch]:
    """The batches of ``reader``, closing ``file`` after the last.

    The reader reads ahead on a thread of its own (see :data:`CSV_BLOCK`). It is given Arrow's
    own file, not a Python one: a reader left before the end (a malformed row) may still be
    reading when the interpreter exits, and a Python file's read on that thread then aborted the
    process ("terminate called without an active exception").
    """
    with file:
        yield from reader


def _convert_cells(values: pa.Array, ftype: str, where: str, column: str, first_line: int,
                   problems: list[str]) -> list[Any]:
    """Each cell converted by Python, each refused cell a located problem."""
    out: list[Any] = []
    for i, v in enumerate(values.to_pylist()):
        if v is None:
            out.append(None)
            continue
        try:
            out.append(_convert(v, ftype))
        except ValueError:
            problems.append(f"{where}:line {first_line + i}:column {column}: {v!r} is not a valid {ftype}; "
                            "correct the value")
            out.append(None)
    return out


def _convert_column(values: pa.Array, field: pa.Field, ftype: str) -> pa.Array | None:
    """The column converted by Arrow, or None where Arrow refuses a cell (Python then decides:
    Arrow accepts a subset of what Python's converters accept, with the same values)."""
    if ftype == "string":
        return values
    if ftype == "boolean":
        truth = pc.is_in(values, value_set=pa.array(sorted(TRUE)))
        known = pc.or_kleene(truth, pc.is_in(values, value_set=pa.array(sorted(FALSE))))
        if not pc.all(pc.or_kleene(known, pc.is_null(values))).as_py():
            return None
        return pc.if_else(pc.is_null(values), pa.scalar(None, pa.bool_()), truth)
    try:
        return pc.cast(values, field.type)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None


def convert_csv(batch: pa.RecordBatch, schema: dict[str, Any], table_name: str,
                first_line: int) -> tuple[pa.Table | None, list[str]]:
    """A batch of CSV text converted to the schema's types; ``first_line`` is the file line of its first row."""
    problems: list[str] = []
    arrays = []
    for f, field in zip(schema["fields"], arrow_schema(schema), strict=True):
        values = batch.column(f["name"])
        converted = _convert_column(values, field, f["type"])
        if converted is None:
            cells = _convert_cells(values, f["type"], f"{table_name}.csv", f["name"], first_line, problems)
            converted = pa.array(cells, type=field.type)
        arrays.append(converted)
    if problems:
        return None, problems
    return pa.table(arrays, names=[f["name"] for f in schema["fields"]]), []


def read_csv(path: Path, schema: dict[str, Any]) -> tuple[pd.DataFrame | None, list[str]]:
    """Read one CSV table, converting each column by its field type."""
    batches, problems = open_csv(path, schema)
    if batches is None:
        return None, problems
    tables, line = [], 2
    try:
        for batch in batches:
            table, bad = convert_csv(batch, schema, path.stem, line)
            problems += bad
            line += batch.num_rows
            if table is not None:
                tables.append(table)
    except Exception as exc:  # noqa: BLE001 - pyarrow raises ArrowInvalid and others
        return None, [csv_error(path, exc)]
    if problems:
        return None, problems
    table = pa.concat_tables(tables) if tables else arrow_schema(schema).empty_table()
    return to_pandas(table, schema, categorical=False), []
