"""The writer's files depend on the rows alone: not on whether they came as dicts, as sorted
columns or as Arrow tables, nor on how they were cut into pieces; the descriptor written with its
sources streamed from a file is the one dumped whole."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bigtech_events.datapackage import Sources, dump_descriptor, write_descriptor
from bigtech_events.schemas import arrow_schema, load_schemas
from bigtech_events.writer import Columns, ColumnsPart, RowOrder, TableSink, concat_columns

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
    """The files of ``pieces`` written in order, each as its ``how`` says; the "part" pieces are
    the parts of one Columns of them all (as a worker sends the rows of several articles), added
    where they are, between the others."""
    directory.mkdir()
    sink = TableSink("mentions", SCHEMA, directory, batch_rows=batch_rows)
    order = RowOrder(SCHEMA)
    parts = [order.columns(rows) for how, rows in pieces if how == "part"]
    whole, starts = concat_columns(parts) if parts else (None, [])
    n = 0
    for how, rows in pieces:
        if how == "dicts":
            sink.add(rows)
        elif how == "columns":
            sink.add(order.columns(rows))
        elif how == "part":
            assert whole is not None
            part = ColumnsPart(whole, starts[n], starts[n + 1])
            assert part.rows() == rows
            sink.add(part)
            n += 1
        else:
            sink.add_arrow(pa.Table.from_pylist(rows, schema=arrow_schema(SCHEMA)))
    sink.close()
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir())}


@settings(max_examples=80, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(rows=rows_strategy, cuts=st.lists(st.integers(0, 40), max_size=7),
       hows=st.lists(st.sampled_from(["dicts", "columns", "arrow", "part"]), min_size=8, max_size=8),
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
    with pytest.raises(ValueError, match="mentions: rows with columns"):
        sink.add(ColumnsPart(other, 0, 1))
    sink.close()
    with pytest.raises(ValueError, match="rows with columns"):
        concat_columns([RowOrder(SCHEMA).columns([]), other])


# ---------------------------------------------------------------- the descriptor, its sources streamed

text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)
source_strategy = st.dictionaries(st.sampled_from(["title", "description", "path"]),
                                  st.one_of(text, st.lists(text, max_size=2), st.dictionaries(text, text, max_size=2)))


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sources=st.lists(source_strategy, max_size=5), description=text)
def test_the_descriptor_written_source_by_source_is_the_one_dumped_whole(
        tmp_path_factory: pytest.TempPathFactory, sources, description):
    tmp = tmp_path_factory.mktemp("descriptor")
    descriptor = {"name": "x", "description": description, "sources": [], "resources": [{"name": "t"}]}
    spill = Sources(tmp / ".sources.jsonl")
    for entry in sources:
        spill.append(entry)
    write_descriptor(tmp / "datapackage.json", descriptor, spill)
    spill.close()
    assert (tmp / "datapackage.json").read_text(encoding="utf-8") == dump_descriptor({**descriptor, "sources": sources})
    assert spill.count == len(sources) and not (tmp / ".sources.jsonl").exists()


@pytest.mark.parametrize(("chosen", "expected"), [(None, "jemalloc"), ("system", "system")])
def test_commands_give_arrow_an_allocator_that_returns_memory_unless_told_otherwise(chosen, expected):
    try:
        pa.jemalloc_memory_pool()
    except NotImplementedError:
        pytest.skip("this build of Arrow has no jemalloc")
    env = {k: v for k, v in os.environ.items() if k != "ARROW_DEFAULT_MEMORY_POOL"}
    if chosen:
        env["ARROW_DEFAULT_MEMORY_POOL"] = chosen
    code = ("from bigtech_events.workers import use_returning_allocator; import pyarrow as pa; "
            "use_returning_allocator(); print(pa.default_memory_pool().backend_name)")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == expected


_CPP_POOL = """{first}
from bigtech_events.workers import use_returning_allocator
use_returning_allocator()
import pyarrow as pa
import pyarrow.parquet as pq
pq.write_table(pa.table({{"text": [str(i) * 20 for i in range(50_000)]}}), {path!r}, row_group_size=5_000)
for batch in pq.ParquetFile({path!r}).iter_batches(batch_size=4_096):
    pass
print(pa.mimalloc_memory_pool().max_memory())
"""


@pytest.mark.skipif(not sys.platform.startswith("linux") or platform.machine() not in {"x86_64", "aarch64"},
                    reason="jemalloc is asked of Arrow's C++ code only where Linux wheels carry it")
@pytest.mark.parametrize(("first", "mimalloc_used"), [("", False), ("import pyarrow", True)])
def test_a_command_gives_arrows_own_buffers_to_jemalloc_when_it_starts_before_pyarrow(
        first: str, mimalloc_used: bool, tmp_path: Path):
    """Arrow's C++ code (the Parquet writer's and reader's buffers) takes its pool from the
    environment when pyarrow is imported: set before, none of it goes to mimalloc, which keeps what
    is freed; once pyarrow is imported, it is too late (a library caller's own choice)."""
    env = {k: v for k, v in os.environ.items() if k != "ARROW_DEFAULT_MEMORY_POOL"}
    code = _CPP_POOL.format(first=first, path=str(tmp_path / "t.parquet"))
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert (int(out.stdout) > 0) is mimalloc_used, out.stdout
    assert out.stderr == ""
