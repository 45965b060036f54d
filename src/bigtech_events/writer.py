"""Write tables as Parquet and CSV, in batches, with fixed options.

Same rows in, same bytes out: a fixed Arrow schema (``string``, not
``large_string``), fixed compression, no pandas metadata, rows in the order
given (callers sort them by primary key: :class:`RowOrder`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from .schemas import arrow_schema

if TYPE_CHECKING:
    from .snapshot import Tee

PARQUET_OPTIONS: dict[str, Any] = {
    "compression": "zstd",
    "compression_level": 9,
    "use_dictionary": True,
    "write_statistics": True,
    "version": "2.6",
    "data_page_version": "1.0",
}
CSV_OPTIONS = pacsv.WriteOptions(include_header=True, quoting_style="needed", delimiter=",")
BATCH_ROWS = 10_000


@dataclass(frozen=True)
class Columns:
    """Rows of one table as one list per column (``names``, the columns of its Arrow schema), in
    the order they are to be written, sorted by ``key`` (the table's primary key)."""

    names: tuple[str, ...]
    key: tuple[str, ...]
    values: dict[str, list[Any]]
    count: int

    def __len__(self) -> int:
        return self.count

    def rows(self) -> list[dict[str, Any]]:
        return [dict(zip(self.names, row, strict=True)) for row in zip(*self.values.values(), strict=True)]


def concat_columns(parts: list[Columns]) -> tuple[Columns, list[int]]:
    """Rows of one table from several articles (``parts``, each an article's :class:`Columns`)
    as one :class:`Columns`, in the order given, and where each part starts (a last entry: where
    they end). Sent between processes as a few long lists instead of several short lists and a
    dict per article, the rows of 20,000 articles took a third of the time to read."""
    first = parts[0]
    values: dict[str, list[Any]] = {n: [] for n in first.names}
    starts = [0]
    for part in parts:
        if (part.names, part.key) != (first.names, first.key):
            raise ValueError(f"rows with columns {part.names}, not {first.names}")
        for n in first.names:
            values[n].extend(part.values[n])
        starts.append(starts[-1] + part.count)
    return Columns(first.names, first.key, values, starts[-1]), starts


@dataclass(frozen=True)
class ColumnsPart:
    """Rows ``start`` to ``stop`` of a :class:`Columns` that holds the rows of several articles
    (:func:`concat_columns`): one article's, in order, without copying them."""

    columns: Columns
    start: int
    stop: int

    @property
    def names(self) -> tuple[str, ...]:
        return self.columns.names

    @property
    def key(self) -> tuple[str, ...]:
        return self.columns.key

    def __len__(self) -> int:
        return self.stop - self.start

    def rows(self) -> list[dict[str, Any]]:
        values = {n: v[self.start:self.stop] for n, v in self.columns.values.items()}
        return Columns(self.names, self.key, values, len(self)).rows()


class RowOrder:
    """How one table's rows are written: sorted by its primary key (each value compared as a
    string, a missing one as the empty string), as the columns of its Arrow schema."""

    def __init__(self, schema: dict[str, Any]) -> None:
        self.names = tuple(arrow_schema(schema).names)
        self.key = tuple(schema["primaryKey"])

    def columns(self, rows: list[dict[str, Any]] | Columns | ColumnsPart) -> Columns | ColumnsPart:
        """``rows`` sorted and in columns (as they are when already so for this table)."""
        if isinstance(rows, Columns | ColumnsPart):
            if (rows.names, rows.key) == (self.names, self.key):
                return rows
            rows = rows.rows()
        key = self.key
        if len(key) == 1:  # most tables: one key column, without a generator per row
            (k,) = key
            ordered = sorted(rows, key=lambda row: ("" if (v := row.get(k)) is None else str(v),))
        else:
            ordered = sorted(rows, key=lambda row: tuple("" if row.get(k) is None else str(row.get(k)) for k in key))
        return Columns(self.names, key, {n: [row.get(n) for row in ordered] for n in self.names}, len(ordered))


class TableSink:
    """Stream rows of one table into ``<dir>/<table>.parquet`` and ``.csv``.

    Rows come as lists of dicts, :class:`Columns` or :class:`ColumnsPart` (:meth:`add`) or as
    Arrow tables (:meth:`add_arrow`, rows of an earlier build kept as they were), in the order they
    are to be written; the lists of a :class:`Columns` are read when its rows are next copied
    (consecutive parts of one are copied at once), so they must not change once added. Every
    ``batch_rows`` rows, whatever their source, become one Parquet row group and one CSV chunk, so
    the files do not depend on how the rows arrived; memory holds at most about a batch. With
    ``tee``, every batch written is also copied there (the rows of this build, kept for the next:
    :mod:`.snapshot`).
    """

    def __init__(self, table: str, schema: dict[str, Any], directory: Path,
                 batch_rows: int = BATCH_ROWS, tee: Tee | None = None) -> None:
        self.table = table
        self.schema = arrow_schema(schema)
        self.names = self.schema.names
        self.batch_rows = batch_rows
        self._parts: list[dict[str, list[Any]] | pa.Table] = []  # rows not yet written (columns or Arrow), in order
        self._open: list[Any] | None = None  # [Columns, start, stop]: rows after the parts, not yet copied
        self._pending = 0
        self.parquet_path = directory / f"{table}.parquet"
        self.csv_path = directory / f"{table}.csv"
        self._pq = pq.ParquetWriter(self.parquet_path, self.schema, **PARQUET_OPTIONS)
        self._csv_file = open(self.csv_path, "wb")  # noqa: SIM115 - closed in close()
        self._csv = pacsv.CSVWriter(self._csv_file, self.schema, write_options=CSV_OPTIONS)
        self._tee = tee
        self.count = 0
        self._closed = False

    def add(self, rows: list[dict[str, Any]] | Columns | ColumnsPart) -> None:
        if not len(rows):
            return
        if isinstance(rows, Columns | ColumnsPart):
            if rows.names != tuple(self.names):
                raise ValueError(f"{self.table}: rows with columns {rows.names}, not {tuple(self.names)}")
            columns, start, stop = (rows, 0, rows.count) if isinstance(rows, Columns) else \
                (rows.columns, rows.start, rows.stop)
            if self._open is not None and self._open[0] is columns and self._open[2] == start:
                self._open[2] = stop  # the next article's rows of the same Columns: copied later, at once
            else:
                self._settle()
                self._open = [columns, start, stop]
        else:
            self._settle()
            held = self._lists()
            for n in self.names:
                held[n].extend([row.get(n) for row in rows])
        self._held(len(rows))

    def add_arrow(self, rows: pa.Table) -> None:
        self._settle()
        if rows.num_rows:
            self._parts.append(rows)
        self._held(rows.num_rows)

    def _lists(self) -> dict[str, list[Any]]:
        """The last part, when it is lists to add rows to (a new one otherwise)."""
        if not self._parts or isinstance(self._parts[-1], pa.Table):
            self._parts.append({n: [] for n in self.names})
        held = self._parts[-1]
        assert isinstance(held, dict)
        return held

    def _settle(self) -> None:
        """Copy the rows of :attr:`_open` into the parts."""
        if self._open is None:
            return
        columns, start, stop = self._open
        self._open = None
        held = self._lists()
        whole = start == 0 and stop == columns.count
        for n in self.names:
            held[n].extend(columns.values[n] if whole else columns.values[n][start:stop])

    def _held(self, added: int) -> None:
        self._pending += added
        if self._pending >= self.batch_rows:
            self._write(final=False)

    def _arrow(self, part: dict[str, list[Any]] | pa.Table) -> pa.Table:
        if isinstance(part, pa.Table):
            return part
        return pa.Table.from_pydict(part, schema=self.schema)

    def _write(self, final: bool) -> None:
        """Write every whole batch of the rows held (and, when ``final``, the rest)."""
        self._settle()
        table = pa.concat_tables([self._arrow(p) for p in self._parts]).combine_chunks()
        offset = 0
        while table.num_rows - offset >= self.batch_rows or (final and offset < table.num_rows):
            batch = table.slice(offset, self.batch_rows)
            for part in batch.to_batches():
                self._pq.write_batch(part)
                self._csv.write_batch(part)
                if self._tee is not None:
                    self._tee.write(part)
            offset += batch.num_rows
        self.count += offset
        self._parts = [table.slice(offset)] if offset < table.num_rows else []
        self._pending = table.num_rows - offset

    def close(self) -> None:
        """Write what is held and close the files (again: nothing more)."""
        if self._closed:
            return
        self._closed = True
        if self._pending:
            self._write(final=True)
        if self.count == 0:
            # An empty table still has its columns (and one empty row group is not written).
            self._pq.write_table(self.schema.empty_table())
        self._pq.close()
        self._csv.close()
        self._csv_file.close()
        if self._tee is not None:
            self._tee.close(self.schema)


def write_table(table: str, schema: dict[str, Any], directory: Path, rows: list[dict[str, Any]]) -> None:
    sink = TableSink(table, schema, directory)
    sink.add(rows)
    sink.close()
