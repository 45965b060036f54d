"""Check one table's Parquet and CSV files a batch of rows at a time.

Both files are read in step, ``BATCH_ROWS`` rows at a time (memory: a batch of each, plus the
key columns), and each batch is

- converted (CSV text to the schema's types, by Arrow column by column),
- checked by the pandera schema generated from the table schema (without its uniqueness checks),
- compared between the two formats.

Uniqueness (unique columns and the primary key) needs every row but only its key: each key is
kept as one 8-byte hash per row (whatever its columns hold), gathered batch by batch and sorted at
the end. Only when two hashes are equal is the file read again, for the key columns of the rows
with a repeated hash, which a group-by on the values then decides: a hash collision is never
reported as a repeat. The lines reported are those a whole-table pandera run reports: the same
words, the same order (the primary key first, then column by column and check by check, rows
ascending), at most ``MAX_PER_CHECK * 5`` per file.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pandera.errors
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from .pandera_schemas import pandera_schema
from .tableio import (
    CSV_BLOCK,
    convert_csv,
    csv_error,
    csv_options,
    open_csv,
    open_parquet,
    parquet_error,
    parquet_stream,
    to_pandas,
)

#: Rows per batch: large enough that pandera's fixed cost per call is small, small enough that a
#: batch of the widest table (events: the evidence sentence of every row) stays in tens of MB.
BATCH_ROWS = 20_000
MAX_PER_CHECK = 20
LINES_PER_FILE = MAX_PER_CHECK * 5

Key = tuple[int, int, int, int]


def row_label(table: str, fmt: str, idx: int) -> str:
    return f"{table}.{fmt}:line {idx + 2}" if fmt == "csv" else f"{table}.{fmt}:row {idx + 1}"


def rule_note(rule: Any) -> str:
    return f" (rule {rule})" if rule is not None else ""


def describe_check(check: str, value: Any) -> str:
    if check.startswith("not_nullable"):
        return "a required value is missing"
    if check.startswith("field_uniqueness"):
        return f"value {value!r} is not unique"
    if check.startswith("multiple_fields_uniqueness"):
        return f"primary key repeats ({value!r})"
    if check.startswith(("enum", "isin")):
        allowed = check[check.find("[") + 1:check.rfind("]")].replace("'", "") if "[" in check else ""
        return f"{value!r} is not one of the allowed values ({allowed})"
    if check.startswith("pattern"):
        return f"{value!r} does not match the column's pattern"
    if check.startswith(("greater_than_or_equal_to", "less_than_or_equal_to")):
        return f"{value!r} is out of the allowed range ({check})"
    if check.startswith("edtf"):
        return f"{value!r} is not a valid EDTF date"
    if check.startswith("date"):
        return f"{value!r} is not a date"
    if check.startswith("dtype"):
        return f"wrong column type ({value})"
    return f"fails {check} ({value!r})"


def _check_rank(check: str, number: Any) -> int:
    """Where pandera puts a check among a column's: nulls, uniqueness, type, then the checks in order."""
    for rank, prefix in enumerate(("not_nullable", "field_uniqueness", "dtype")):
        if check.startswith(prefix):
            return rank
    return 3 + int(number) if isinstance(number, (int, float)) and pd.notna(number) else 1000


class FailureLog:
    """The first ``LINES_PER_FILE`` failure lines of one file in pandera's order, whatever batch
    found them (memory: that many lines)."""

    def __init__(self, table: str, fmt: str, schema: dict[str, Any]) -> None:
        self.table, self.fmt = table, fmt
        self.positions = {f["name"]: i for i, f in enumerate(schema["fields"])}
        self._items: list[tuple[Key, str]] = []

    def add(self, key: Key, column: str, idx: int | None, what: str, rule: Any) -> None:
        where = row_label(self.table, self.fmt, idx) if idx is not None else f"{self.table}.{self.fmt}"
        line = f"{where}:column {column}: {what}{rule_note(rule)}; correct the row or the rule that made it"
        self._items.append((key, line))
        if len(self._items) > 4 * LINES_PER_FILE:
            self._items = heapq.nsmallest(LINES_PER_FILE, self._items)

    def add_pandera(self, exc: pandera.errors.SchemaErrors, df: pd.DataFrame) -> None:
        offset = int(df.index[0]) if len(df) else 0
        rules = df["rule_id"] if "rule_id" in df.columns else None
        for rec in exc.failure_cases.head(LINES_PER_FILE).to_dict("records"):
            idx = rec.get("index")
            idx = int(idx) if isinstance(idx, (int, float)) and pd.notna(idx) else None
            col = rec.get("column") or "-"
            check = str(rec.get("check"))
            context = 0 if rec.get("schema_context") == "DataFrameSchema" else 1
            key = (context, self.positions.get(col, -1), _check_rank(check, rec.get("check_number")),
                   -1 if idx is None else idx)
            rule = rules.iloc[idx - offset] if rules is not None and idx is not None \
                and 0 <= idx - offset < len(df) else None
            self.add(key, col, idx, describe_check(check, rec.get("failure_case")), rule)

    def lines(self) -> list[str]:
        return [line for _, line in heapq.nsmallest(LINES_PER_FILE, self._items)]


def windows(batches: Iterator[pa.RecordBatch], rows: int) -> Iterator[pa.Table]:
    """The stream cut again into tables of exactly ``rows`` rows (the last one shorter)."""
    held: list[pa.RecordBatch] = []
    size = 0
    for batch in batches:
        held.append(batch)
        size += batch.num_rows
        while size >= rows:
            table = pa.Table.from_batches(held)
            yield table.slice(0, rows)
            rest = table.slice(rows)
            held, size = rest.to_batches(), rest.num_rows
    if size:
        yield pa.Table.from_batches(held)


@dataclass
class Side:
    """One file of a table (Parquet or CSV) as it is read, batch by batch."""

    table: str
    fmt: str
    path: Path
    schema: dict[str, Any]
    batches: Iterator[pa.RecordBatch] | None
    open_problems: list[str]
    read_problems: list[str] = field(default_factory=list)
    rows: int = 0
    #: Rows expected (the Parquet file's count), to size the key hashes up front.
    expected_rows: int = 0
    #: Per key (its columns), the hashes of the rows read so far.
    hashes: dict[tuple[str, ...], Hashes] = field(default_factory=dict)
    log: FailureLog = field(init=False)

    def __post_init__(self) -> None:
        self.log = FailureLog(self.table, self.fmt, self.schema)
        self.hashes = {key: Hashes(self.expected_rows) for key in unique_keys(self.schema)}
        self._windows = windows(self.batches, BATCH_ROWS) if self.batches is not None else None

    @property
    def ok(self) -> bool:
        return self.batches is not None and not self.read_problems

    def next_frame(self) -> tuple[bool, pd.DataFrame | None]:
        """(more to come, the next batch as a typed frame indexed by row number or None)."""
        if self._windows is None:
            return False, None
        try:
            window = next(self._windows)
        except StopIteration:
            self._windows = None
            return False, None
        except Exception as exc:  # noqa: BLE001 - pyarrow raises many types for damaged files
            self._windows = None
            self.read_problems = [parquet_error(self.path, exc) if self.fmt == "parquet" else csv_error(self.path, exc)]
            return False, None
        offset = self.rows
        self.rows += window.num_rows
        if self.fmt == "csv":
            window, bad = convert_csv(window.combine_chunks(), self.schema, self.table, offset + 2)
            self.read_problems += bad
        if window is None or self.read_problems:
            return True, None
        for key, found in self.hashes.items():
            found.append(key_hashes(window, key))
        df = to_pandas(window, self.schema, categorical=False)
        df.index = pd.RangeIndex(offset, offset + len(df))
        return True, df


class Hashes:
    """64-bit hashes appended batch by batch into one array, sized up front when the number of rows
    is known (a Parquet file's metadata tells it) and doubled when more come: sorting it then needs
    no second copy, as concatenating a list of parts did (17 MB more for the 2.2 million mentions of
    100,000 articles)."""

    #: The most rows sized up front (128 MB): a damaged file's metadata may claim any number.
    MAX_CAPACITY = 1 << 24

    def __init__(self, capacity: int = 0) -> None:
        self._array = np.empty(min(max(capacity, 0), self.MAX_CAPACITY), np.int64)
        self.count = 0

    def append(self, hashes: np.ndarray) -> None:
        end = self.count + len(hashes)
        if end > len(self._array):
            grown = np.empty(max(end, 2 * len(self._array)), np.int64)
            grown[:self.count] = self._array[:self.count]
            self._array = grown
        self._array[self.count:end] = hashes
        self.count = end

    def sorted(self) -> np.ndarray:
        """The hashes appended, sorted in place (the accumulator is emptied)."""
        hashes, self._array, self.count = self._array[:self.count], np.empty(0, np.int64), 0
        hashes.sort()
        return hashes

    def repeated(self) -> np.ndarray:
        """The hashes appended more than once, sorted and distinct (the accumulator is emptied)."""
        hashes = self.sorted()
        return distinct(hashes[1:][hashes[1:] == hashes[:-1]])


def unique_keys(schema: dict[str, Any]) -> list[tuple[str, ...]]:
    """The keys whose values must not repeat: the composite primary key, then each unique column."""
    pk = tuple(schema.get("primaryKey") or [])
    unique = [(f["name"],) for f in schema["fields"] if f.get("constraints", {}).get("unique")]
    return list(dict.fromkeys(([pk] if len(pk) > 1 else []) + unique))


def key_hashes(table: pa.Table | pa.RecordBatch, key: tuple[str, ...]) -> np.ndarray:
    """One 64-bit hash per row of the values of ``key`` (Python's: keyed per process, nulls included),
    equal for equal values."""
    columns = [table.column(c).to_pylist() for c in key]
    values = columns[0] if len(columns) == 1 else zip(*columns, strict=True)
    return np.fromiter(map(hash, values), np.int64, table.num_rows)


def _open(table: str, fmt: str, path: Path, schema: dict[str, Any], expected_rows: int = 0) -> Side:
    if not path.is_file():
        return Side(table, fmt, path, schema, None, [])
    batches, problems = open_parquet(path, schema, BATCH_ROWS) if fmt == "parquet" else open_csv(path, schema)
    return Side(table, fmt, path, schema, batches, problems, expected_rows=expected_rows)


def parquet_rows(path: Path) -> int:
    """The number of rows a Parquet file's metadata gives (0 when it cannot be read)."""
    try:
        return pq.ParquetFile(path).metadata.num_rows
    except Exception:  # noqa: BLE001 - pyarrow raises many types for damaged files: reported when read
        return 0


def check_table(table: str, schema: dict[str, Any], csv_path: Path, pq_path: Path) -> tuple[list[str], bool]:
    """Problems of one table's two files, and whether its Parquet file was read in full."""
    rows = parquet_rows(pq_path)
    pq_side, csv_side = _open(table, "parquet", pq_path, schema, rows), _open(table, "csv", csv_path, schema, rows)
    validator = pandera_schema(table, schema, keys=False)
    differences: dict[str, tuple[int, Any, Any]] = {}
    more = True
    while more:
        more_pq, pq_df = pq_side.next_frame()
        more_csv, csv_df = csv_side.next_frame()
        more = more_pq or more_csv
        for side, df in ((pq_side, pq_df), (csv_side, csv_df)):
            if df is not None:
                _check_frame(validator, side, df)
        if pq_df is not None and csv_df is not None and len(pq_df) == len(csv_df):
            first_differences(csv_df, pq_df, differences)
    problems = pq_side.open_problems + pq_side.read_problems + csv_side.open_problems + csv_side.read_problems
    for side in (pq_side, csv_side):
        if side.ok:
            check_keys(side)
            problems += side.log.lines()
    if pq_side.ok and csv_side.ok:
        problems += format_difference(table, csv_side.rows, pq_side.rows, differences, schema)
    return problems, pq_side.ok


def _check_frame(validator: Any, side: Side, df: pd.DataFrame) -> None:
    try:
        validator.validate(df, lazy=True)
    except pandera.errors.SchemaErrors as exc:
        side.log.add_pandera(exc, df)


# ---------------------------------------------------------------- uniqueness, by group-by


def _repeated_rows(keys: pa.Table, columns: list[str]) -> pa.Table:
    """The rows of ``keys`` (numbered by their column ``__row``) whose values in ``columns`` occur
    more than once, by row number."""
    numbered = keys.select([*columns, "__row"])
    counts = numbered.group_by(columns).aggregate([("__row", "count")])
    repeated = counts.filter(pc.greater(counts["__row_count"], 1)).drop_columns(["__row_count"])
    if repeated.num_rows == 0:
        return numbered.slice(0, 0)
    return numbered.join(repeated, keys=columns, join_type="inner").sort_by("__row")


def distinct(ordered: np.ndarray) -> np.ndarray:
    """The distinct values of a sorted array (without ``np.unique``'s sort or hash table)."""
    if len(ordered) < 2:
        return ordered
    return ordered[np.concatenate(([True], ordered[1:] != ordered[:-1]))]


def check_keys(side: Side) -> None:
    """Unique columns and the composite primary key of one file, as pandera words them."""
    suspects = {key: found.repeated() for key, found in side.hashes.items()}
    suspects = {key: found for key, found in suspects.items() if len(found)}
    if not suspects:
        return
    rows = _rows_with_hashes(side, suspects)
    pk = tuple(side.schema.get("primaryKey") or [])
    found: list[tuple[Key, str, int, str]] = []
    if len(pk) > 1 and pk in suspects:
        repeated = _repeated_rows(rows, list(pk))
        for col in pk:
            for idx, value in zip(repeated["__row"].to_pylist(), repeated[col].to_pylist(), strict=True):
                found.append(((0, side.log.positions[col], 0, idx), col, idx, f"primary key repeats ({value!r})"))
    for (col,) in (key for key in suspects if len(key) == 1):
        repeated = _repeated_rows(rows, [col])
        for idx, value in zip(repeated["__row"].to_pylist(), repeated[col].to_pylist(), strict=True):
            found.append(((1, side.log.positions[col], 1, idx), col, idx, f"value {value!r} is not unique"))
    if not found:
        return
    rules: dict[int, Any] = {}
    if "__rule" in rows.column_names:
        rules = {idx: pd.NA if rule is None else rule
                 for idx, rule in zip(rows["__row"].to_pylist(), rows["__rule"].to_pylist(), strict=True)}
    for key, col, idx, what in found:
        side.log.add(key, col, idx, what, rules.get(idx))


def _rows_with_hashes(side: Side, suspects: dict[tuple[str, ...], np.ndarray]) -> pa.Table:
    """The key columns (and ``rule_id`` as ``__rule``) of the rows of a file whose key hash is one
    of ``suspects``, numbered by ``__row``: the file read again, a batch at a time."""
    columns = list(dict.fromkeys(c for key in suspects for c in key))
    rules = ["rule_id"] if "rule_id" in (f["name"] for f in side.schema["fields"]) else []
    picked: list[pa.Table] = []
    offset = 0
    for batch in _key_batches(side, columns, rules):
        hit = np.zeros(batch.num_rows, bool)
        for key, hashes in suspects.items():
            hit |= np.isin(key_hashes(batch, key), hashes)
        if hit.any():
            rows = np.flatnonzero(hit)
            table = batch.select(columns + rules).take(pa.array(rows))
            table = table.append_column("__row", pa.array(rows + offset, pa.int64()))
            picked.append(table.rename_columns([*columns, *(["__rule"] if rules else []), "__row"]))
        offset += batch.num_rows
    return pa.concat_tables(picked)


def _key_batches(side: Side, columns: list[str], rules: list[str]) -> Iterator[pa.Table]:
    """Columns of a file a batch at a time, typed as in the first reading (CSV converted)."""
    if side.fmt == "parquet":
        for batch in parquet_stream(side.path).iter_batches(batch_size=BATCH_ROWS, columns=columns + rules):
            yield pa.Table.from_batches([batch])
        return
    fields = [f for f in side.schema["fields"] if f["name"] in columns]
    with pa.OSFile(str(side.path)) as file:  # as in tableio.open_csv: no Python on Arrow's reading thread
        yield from _converted(side, pacsv.open_csv(file, read_options=pacsv.ReadOptions(block_size=CSV_BLOCK),
                                                   convert_options=csv_options(
            {"fields": [f for f in side.schema["fields"] if f["name"] in columns + rules]},
            include_columns=columns + rules)), fields, rules)


def _converted(side: Side, reader: pacsv.CSVStreamingReader, fields: list[dict[str, Any]],
               rules: list[str]) -> Iterator[pa.Table]:
    """The key columns of each batch of CSV text converted to their types, ``rule_id`` as text."""
    line = 2
    for batch in reader:
        converted, _ = convert_csv(batch, {"fields": fields}, side.table, line)
        assert converted is not None  # the first reading converted these same cells
        if rules:
            converted = converted.append_column("rule_id", batch.column("rule_id"))
        line += batch.num_rows
        yield converted


# ---------------------------------------------------------------- CSV and Parquet hold the same rows


def first_differences(csv_df: pd.DataFrame, pq_df: pd.DataFrame, found: dict[str, tuple[int, Any, Any]]) -> None:
    """Record, for each column not yet recorded, the first row of this batch where the formats differ."""
    if csv_df.equals(pq_df):
        return
    for col in csv_df.columns:
        if col in found:
            continue
        a, b = csv_df[col].astype(object), pq_df[col].astype(object)
        for i, x, y in zip(csv_df.index, a, b, strict=True):
            x_na = not isinstance(x, (list, dict)) and pd.isna(x)
            y_na = not isinstance(y, (list, dict)) and pd.isna(y)
            if x_na and y_na:
                continue
            if x_na or y_na or x != y:
                found[col] = (int(i), x, y)
                break


def format_difference(table: str, csv_rows: int, pq_rows: int, found: dict[str, tuple[int, Any, Any]],
                      schema: dict[str, Any]) -> list[str]:
    if csv_rows != pq_rows:
        return [f"{table}: CSV has {csv_rows} rows but Parquet has {pq_rows}; rebuild the package"]
    for col in (f["name"] for f in schema["fields"]):
        if col in found:
            i, x, y = found[col]
            return [f"{table}.csv:line {i + 2}:column {col}: CSV has {x!r} but Parquet has {y!r}; rebuild the package"]
    return []
