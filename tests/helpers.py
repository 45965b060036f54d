"""Helpers to break a built package in controlled ways."""

from __future__ import annotations

import json
import re
import selectors
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from bigtech_events.datapackage import file_facts
from bigtech_events.schemas import arrow_schema, load_schemas
from bigtech_events.writer import write_table

#: The checkout these tests belong to, and its inputs.
REPO = Path(__file__).resolve().parent.parent
SEEDS_DIR = REPO / "seeds"
RULES_DIR = REPO / "rules"
SCHEMAS_DIR = REPO / "schemas"



def edit_once(path: Path, old: str, new: str) -> None:
    """Replace the first ``old`` in a text file by ``new`` (``old`` must be there)."""
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def assert_rules_problem(rules_dir: Path, file: str, message: str) -> None:
    """Loading ``rules_dir`` fails with a one-line problem holding ``message`` at a line of ``file``."""
    from bigtech_events.errors import UserError
    from bigtech_events.ruleset import load_rules

    try:
        load_rules(rules_dir)
    except UserError as err:
        text = next(p for p in getattr(err, "problems", [str(err)]) if message in p)
    else:
        raise AssertionError(f"{rules_dir} loaded without a problem")
    assert "\n" not in text
    path, line, _ = text.split(":", 2)
    assert path == str(rules_dir / file) and int(line) > 1


def read_rows(root: Path, table: str) -> list[dict[str, Any]]:
    return pq.read_table(root / "dataset" / f"{table}.parquet").to_pylist()


def rewrite(root: Path, table: str, change: Callable[[list[dict[str, Any]]], list[dict[str, Any]]],
            csv: bool = True, parquet: bool = True) -> None:
    """Apply ``change`` to a table's rows, rewrite its files and fix the descriptor's bytes/hash,
    so that only the defect introduced by ``change`` remains."""
    schema = load_schemas()[table]
    rows = change(read_rows(root, table))
    tmp = root / "tmp-rewrite"
    tmp.mkdir(exist_ok=True)
    if _arrow_ok(rows, schema):
        write_table(table, schema, tmp, rows)
    else:
        _write_loose(table, tmp, rows, schema)
    for fmt, flag in (("csv", csv), ("parquet", parquet)):
        if flag:
            (tmp / f"{table}.{fmt}").replace(root / "dataset" / f"{table}.{fmt}")
    for p in tmp.iterdir():
        p.unlink()
    tmp.rmdir()
    refresh_hashes(root)


def _arrow_ok(rows: list[dict[str, Any]], schema: dict[str, Any]) -> bool:
    try:
        t = pa.Table.from_pylist(rows, schema=arrow_schema(schema))
        return t.validate(full=True) is None and all(
            t.column(f.name).null_count == 0 for f in arrow_schema(schema) if not f.nullable)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError):
        return False


def _write_loose(table: str, directory: Path, rows: list[dict[str, Any]], schema: dict[str, Any]) -> None:
    """Write what Arrow's strict schema refuses: a null in a required column goes to Parquet with a
    relaxed (all-nullable) schema; a value of the wrong type goes to CSV only."""
    import csv

    relaxed = pa.schema([f.with_nullable(True) for f in arrow_schema(schema)])
    try:
        pq.write_table(pa.Table.from_pylist(rows, schema=relaxed), directory / f"{table}.parquet")
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError):
        pq.write_table(pq.read_table(directory.parent / "dataset" / f"{table}.parquet"),
                       directory / f"{table}.parquet")

    names = [f["name"] for f in schema["fields"]]
    with open(directory / f"{table}.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, quoting=csv.QUOTE_MINIMAL)
        w.writerow(names)
        for r in rows:
            w.writerow(["" if r.get(n) is None else r.get(n) for n in names])


def refresh_hashes(root: Path) -> None:
    path = root / "datapackage.json"
    d = json.loads(path.read_text())
    for res in d["resources"]:
        res["bytes"], digest = file_facts(root / res["path"])
        res["hash"] = f"sha256:{digest}"
        pqd = res["parquet"]
        pqd["bytes"], digest = file_facts(root / pqd["path"])
        pqd["hash"] = f"sha256:{digest}"
    path.write_text(json.dumps(d, indent=2, ensure_ascii=False) + "\n")


SPAN_COLUMNS = {"mentions": [("char_start", "char_end", "text")],
                "events": [("char_start", "char_end", "evidence"), ("trigger_start", "trigger_end", "trigger")],
                "event_mentions": [("char_start", "char_end", "evidence"), ("trigger_start", "trigger_end", "trigger")],
                "affiliations": [("char_start", "char_end", "evidence")],
                "amounts": [("char_start", "char_end", "text")]}


def assert_spans_reproduce(text: str, rows: dict[str, list[dict[str, Any]]]) -> None:
    """Every span of the extracted rows reproduces its recorded words in ``text``."""
    for table, columns in SPAN_COLUMNS.items():
        for row in rows[table]:
            for start, end, words in columns:
                assert text[row[start]:row[end]] == row[words], (table, row)


def served_address(proc: subprocess.Popen[str], timeout: float = 180) -> str:
    """The site's address, from the line ``bigtech-events serve`` prints once it listens (the
    process is killed and the test fails if none comes within ``timeout`` seconds)."""
    assert proc.stdout is not None
    with selectors.DefaultSelector() as sel:
        sel.register(proc.stdout, selectors.EVENT_READ)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if sel.select(timeout=1):
                line = proc.stdout.readline()
                if found := re.search(r" at (http://\S+) ", line):
                    return found.group(1)
                if not line:
                    break
    proc.kill()
    pytest.fail(f"serve did not start: {proc.stderr.read() if proc.stderr else ''}")
