"""Write tables as Parquet and CSV, in batches, with fixed options.

Same rows in, same bytes out: a fixed Arrow schema (``string``, not
``large_string``), fixed compression, no pandas metadata, rows in the order
given (callers sort by id).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from .schemas import arrow_schema

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


class TableSink:
    """Stream rows of one table into ``<dir>/<table>.parquet`` and ``.csv``.

    Memory holds at most ``batch_rows`` rows; each full batch becomes one
    Parquet row group and one CSV chunk.
    """

    def __init__(self, table: str, schema: dict[str, Any], directory: Path,
                 batch_rows: int = BATCH_ROWS) -> None:
        self.table = table
        self.schema = arrow_schema(schema)
        self.names = self.schema.names
        self.batch_rows = batch_rows
        self._rows: list[dict[str, Any]] = []
        self.parquet_path = directory / f"{table}.parquet"
        self.csv_path = directory / f"{table}.csv"
        self._pq = pq.ParquetWriter(self.parquet_path, self.schema, **PARQUET_OPTIONS)
        self._csv_file = open(self.csv_path, "wb")  # noqa: SIM115 - closed in close()
        self._csv = pacsv.CSVWriter(self._csv_file, self.schema, write_options=CSV_OPTIONS)
        self.count = 0

    def add(self, rows: list[dict[str, Any]]) -> None:
        self._rows.extend(rows)
        while len(self._rows) >= self.batch_rows:
            self._flush(self._rows[: self.batch_rows])
            self._rows = self._rows[self.batch_rows :]

    def _flush(self, rows: list[dict[str, Any]]) -> None:
        batch = pa.RecordBatch.from_pylist([{n: r.get(n) for n in self.names} for r in rows],
                                           schema=self.schema)
        self._pq.write_batch(batch)
        self._csv.write_batch(batch)
        self.count += len(rows)

    def close(self) -> None:
        if self._rows:
            self._flush(self._rows)
            self._rows = []
        if self.count == 0:
            # An empty table still has its columns (and one empty row group is not written).
            self._pq.write_table(self.schema.empty_table())
        self._pq.close()
        self._csv.close()
        self._csv_file.close()


def write_table(table: str, schema: dict[str, Any], directory: Path, rows: list[dict[str, Any]]) -> None:
    sink = TableSink(table, schema, directory)
    sink.add(rows)
    sink.close()
