"""Reading a Parquet file a batch at a time holds about a batch, however long the file."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from bigtech_events.tableio import parquet_stream


def _held() -> int:
    """Bytes Arrow holds in every pool it has: pyarrow's own default pool and the one its C++ code
    takes from the environment may differ (the process may have set one and not the other)."""
    held = 0
    for pool in (pa.jemalloc_memory_pool, pa.mimalloc_memory_pool, pa.system_memory_pool):
        with contextlib.suppress(NotImplementedError):
            held += pool().bytes_allocated()
    return held


def _most_held(path: Path, opener) -> int:
    """The most bytes Arrow held (above what it held before) while the file was read in batches."""
    before, most = _held(), 0
    for _ in opener(path).iter_batches(batch_size=2_000):
        most = max(most, _held() - before)
    return most


def _file(tmp_path: Path, row_groups: int) -> Path:
    path = tmp_path / f"{row_groups}.parquet"
    table = pa.table({"text": [f"row {i} " * 30 for i in range(row_groups * 1_000)]})
    pq.write_table(table, path, row_group_size=1_000)
    return path


@pytest.mark.parametrize(("opener", "bounded"), [(parquet_stream, True), (pq.ParquetFile, False)])
def test_a_parquet_stream_holds_as_much_for_a_long_file_as_for_a_short_one(opener, bounded: bool,
                                                                           tmp_path: Path):
    """pyarrow's default reader buffers column chunks ahead, more the longer the file (its row
    here shows the check can fail); the validation's reader does not."""
    short, long = _most_held(_file(tmp_path, 10), opener), _most_held(_file(tmp_path, 100), opener)
    assert (long <= 1.5 * short) is bounded, (short, long)
