"""The writer's files depend on the rows alone: not on whether they came as dicts, as sorted
columns or as Arrow tables, nor on how they were cut into pieces."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bigtech_events.schemas import arrow_schema, load_schemas
from bigtech_events.writer import Columns, RowOrder, TableSink

SCHEMA = load_schemas()["mentions"]
NAMES = arrow_schema(SCHEMA).names

rows_strategy = st.lists(st.fixed_dictionaries({
    "mention_id": st.text("abc", min_size=1, max_size=4),
    "article_id": st.sampled_from(["a-1", "a-2"]),
    "actor_id": st.sampled_from(["x", "y"]),
    "char_start": st.integers(0, 50),
    "char_end": st.integers(51, 90),
    "text": st.text(max_size=6),
    "resolution": st.sampled_from(["name", "alias"]),
    "rule_id": st.sampled_from(["gazetteer.name", "title.name"]),
}), max_size=40)


def _write(directory: Path, pieces: list[tuple[str, list[dict]]], batch_rows: int) -> dict[str, bytes]:
    directory.mkdir()
    sink = TableSink("mentions", SCHEMA, directory, batch_rows=batch_rows)
    order = RowOrder(SCHEMA)
    for how, rows in pieces:
        if how == "dicts":
            sink.add(rows)
        elif how == "columns":
            sink.add(order.columns(rows))
        else:
            sink.add_arrow(pa.Table.from_pylist(rows, schema=arrow_schema(SCHEMA)))
    sink.close()
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir())}


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(rows=rows_strategy, cuts=st.lists(st.integers(0, 40), max_size=5),
       hows=st.lists(st.sampled_from(["dicts", "columns", "arrow"]), min_size=6, max_size=6),
       batch_rows=st.sampled_from([1, 3, 7, 10_000]))
def test_the_files_depend_on_the_rows_alone(tmp_path_factory: pytest.TempPathFactory, rows, cuts, hows,
                                            batch_rows):
    rows = RowOrder(SCHEMA).columns(rows).rows()  # in the order they are written
    bounds = [0, *sorted(min(c, len(rows)) for c in cuts), len(rows)]
    pieces = [(how, rows[a:b]) for how, a, b in zip(hows, bounds, bounds[1:], strict=False)]
    tmp = tmp_path_factory.mktemp("sink")
    assert _write(tmp / "pieces", pieces, batch_rows) == _write(tmp / "whole", [("dicts", rows)], batch_rows)


@given(rows=rows_strategy)
def test_rows_are_sorted_by_primary_key_as_strings(rows):
    columns = RowOrder(SCHEMA).columns(rows)
    assert len(columns) == len(rows) and columns.names == tuple(NAMES)
    assert columns.values["mention_id"] == sorted(r["mention_id"] for r in rows)
    assert sorted(map(tuple, (r.values() for r in columns.rows()))) == sorted(
        tuple(r.get(n) for n in NAMES) for r in rows)
    assert RowOrder(SCHEMA).columns(columns) is columns  # already in order: kept as it is


def test_columns_of_another_table_are_refused(tmp_path: Path):
    other = Columns(("event_id",), ("event_id",), {"event_id": ["e-1"]}, 1)
    sink = TableSink("mentions", SCHEMA, tmp_path)
    with pytest.raises(ValueError, match="mentions: rows with columns"):
        sink.add(other)
    sink.close()
