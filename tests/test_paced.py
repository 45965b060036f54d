"""Arrow's CSV reader reads a file through :class:`Paced` no further ahead than allowed, gives the
batches it gives without it, and never stalls."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bigtech_events import tableio
from bigtech_events.tableio import Paced, paced_batches, paced_csv

BLOCK = 1 << 12


def _csv(path: Path, rows: int) -> Path:
    lines = ["id,text"] + [f"{i},\"line {i} with, a comma and some words to fill the block\"" for i in range(rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


class _Watched:
    """A file that records how far it has been read."""

    def __init__(self, path: Path) -> None:
        self.file = path.open("rb")
        self.position = 0

    def read(self, size: int = -1) -> bytes:
        data = self.file.read(size)
        self.position += len(data)
        return data

    @property
    def closed(self) -> bool:
        return self.file.closed

    def close(self) -> None:
        self.file.close()


def test_the_reader_stays_within_its_allowance_and_gives_the_same_batches(tmp_path: Path):
    path = _csv(tmp_path / "t.csv", 20_000)  # about 1.3 MB: some 300 blocks
    watched = _Watched(path)
    file, reader = paced_csv(watched, BLOCK)  # type: ignore[arg-type]
    got, furthest = [], 0
    for k, batch in enumerate(paced_batches(file, reader, BLOCK)):
        got.append(batch)
        furthest = max(furthest, watched.position - k * BLOCK)
    assert furthest <= (tableio.BLOCKS_AHEAD + 2) * BLOCK
    plain = pacsv.read_csv(path, read_options=pacsv.ReadOptions(block_size=BLOCK))
    assert pa.Table.from_batches(got).equals(plain.combine_chunks())
    assert watched.closed


@settings(max_examples=10, deadline=None)
@given(rows=st.integers(0, 3_000), ahead=st.integers(0, 3))
def test_a_consumer_that_never_says_what_it_took_costs_only_a_wait(tmp_path_factory: pytest.TempPathFactory,
                                                                   rows: int, ahead: int):
    path = _csv(tmp_path_factory.mktemp("csv") / "t.csv", rows)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(tableio, "PACE_WAIT", 0.001)
        file = Paced(path.open("rb"), ahead * BLOCK)
        with file:
            table = pacsv.open_csv(file, read_options=pacsv.ReadOptions(block_size=BLOCK)).read_all()
    assert table.num_rows == rows
