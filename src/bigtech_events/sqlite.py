"""A SQLite database of a package, for browsing (``bigtech-events sqlite``, ``serve``).

Everything comes from the package alone (a directory or a release zip, read
through :class:`~bigtech_events.loader.PackageFiles`, which checks each file's
sha256): one SQLite table per resource with the columns, primary key and
foreign keys of its Table Schema, indexes on the foreign-key columns, on
``event_type``, ``actor_type`` and every date column, full-text indexes on
events and actors, the views of :mod:`bigtech_events.sqlite_views`, and the
descriptor itself in ``_datapackage`` (so the file describes itself).

The same package gives the same bytes with the same SQLite library: rows go
in in package order, nothing records a time, and the file is vacuumed.

Examples::

    from bigtech_events.sqlite import write_sqlite
    write_sqlite(".", "build/china-bigtech-events-0.1.0.db")
"""

from __future__ import annotations

import json
import os
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from .errors import UserError
from .loader import PackageFiles
from .sqlite_views import VIEWS

#: Table Schema field types -> SQLite column types (dates as ISO text, booleans as 0/1).
SQL_TYPES = {"string": "TEXT", "integer": "INTEGER", "number": "REAL", "boolean": "INTEGER", "date": "TEXT"}
#: Columns indexed wherever they occur (besides foreign keys and dates): what the facets count.
INDEXED = ("event_type", "actor_type")
#: Full-text indexes: table -> the columns searched (Datasette shows a search box on these tables).
FULL_TEXT = {"events": ("summary", "evidence"), "actors": ("name", "description")}
#: The package descriptor, stored as JSON in one row.
DESCRIPTOR_TABLE = "_datapackage"
BATCH_ROWS = 10_000
SQLITE_MAGIC = b"SQLite format 3\x00"


@dataclass(frozen=True)
class SqliteReport:
    """What :func:`write_sqlite` wrote."""

    path: Path
    counts: dict[str, int]


def quote(name: str) -> str:
    """``name`` as a SQLite identifier."""
    return '"' + name.replace('"', '""') + '"'


def _keys(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else list(value or [])


def create_table_sql(table: str, schema: dict[str, Any]) -> str:
    """``CREATE TABLE`` for one Table Schema: typed columns, NOT NULL, primary and foreign keys."""
    lines = []
    for field in schema["fields"]:
        required = (field.get("constraints") or {}).get("required")
        lines.append(f"{quote(field['name'])} {SQL_TYPES.get(field.get('type', 'string'), 'TEXT')}"
                     + (" NOT NULL" if required else ""))
    pk = _keys(schema.get("primaryKey"))
    if pk:
        lines.append(f"PRIMARY KEY ({', '.join(map(quote, pk))})")
    for fk in schema.get("foreignKeys") or []:
        ref = fk["reference"]
        lines.append(f"FOREIGN KEY ({', '.join(map(quote, _keys(fk['fields'])))}) REFERENCES "
                     f"{quote(ref.get('resource') or table)} ({', '.join(map(quote, _keys(ref['fields'])))})")
    return f"CREATE TABLE {quote(table)} (\n  " + ",\n  ".join(lines) + "\n)"


def indexed_columns(schema: dict[str, Any]) -> list[list[str]]:
    """Column lists to index: foreign keys (unless the primary key starts with them), the faceted
    enums and the date columns, each once, in schema order."""
    pk = _keys(schema.get("primaryKey"))
    wanted: list[list[str]] = []
    for fk in schema.get("foreignKeys") or []:
        cols = _keys(fk["fields"])
        if pk[:len(cols)] != cols:
            wanted.append(cols)
    for field in schema["fields"]:
        if field["name"] in INDEXED or field.get("type") == "date":
            wanted.append([field["name"]])
    unique: list[list[str]] = []
    for cols in wanted:
        if cols not in unique:
            unique.append(cols)
    return unique


def create_index_sql(table: str, cols: list[str]) -> str:
    return f"CREATE INDEX {quote(f'idx_{table}_' + '_'.join(cols))} ON {quote(table)} ({', '.join(map(quote, cols))})"


def _rows(arrow: pa.Table) -> Any:
    """The table's rows as tuples, batch by batch, dates as ISO text."""
    for batch in arrow.to_batches(max_chunksize=BATCH_ROWS):
        columns = [pc.cast(col, pa.string()) if pa.types.is_date(col.type) else col for col in batch.columns]
        yield list(zip(*(col.to_pylist() for col in columns), strict=True))


def _fill(conn: sqlite3.Connection, pkg: PackageFiles) -> dict[str, int]:
    counts: dict[str, int] = {}
    conn.execute(f"CREATE TABLE {DESCRIPTOR_TABLE} (descriptor TEXT NOT NULL)")
    conn.execute(f"INSERT INTO {DESCRIPTOR_TABLE} VALUES (?)",
                 (json.dumps(pkg.descriptor, ensure_ascii=False, sort_keys=True),))
    for table in pkg.tables():
        schema = pkg.schema(table)
        conn.execute(create_table_sql(table, schema))
        arrow = pkg.arrow_table(table)
        marks = ", ".join("?" * arrow.num_columns)
        for rows in _rows(arrow):
            conn.executemany(f"INSERT INTO {quote(table)} VALUES ({marks})", rows)
        counts[table] = arrow.num_rows
        for cols in indexed_columns(schema):
            conn.execute(create_index_sql(table, cols))
    for table, cols in FULL_TEXT.items():
        if table in counts:
            fts = quote(f"{table}_fts")
            conn.execute(f"CREATE VIRTUAL TABLE {fts} USING fts5({', '.join(map(quote, cols))}, "
                         f'content="{table}")')
            conn.execute(f"INSERT INTO {fts} ({fts}) VALUES ('rebuild')")
    for name, view in VIEWS.items():
        if all(t in counts for t in view.tables):
            conn.execute(f"CREATE VIEW {quote(name)} AS {view.select}")
    return counts


def _check_keys(conn: sqlite3.Connection, package: Path) -> None:
    broken = conn.execute("PRAGMA foreign_key_check").fetchall()
    if broken:
        table, rowid, parent, _ = broken[0]
        raise UserError(f"{package}: {table} row {rowid} refers to a missing row of {parent} "
                        f"({len(broken)} such rows); validate and rebuild the package")


def default_out(package: Path, pkg: PackageFiles) -> Path:
    """``<zip stem>.db`` beside a release zip, ``<dir>/build/<name>-<version>.db`` for a directory."""
    if package.is_dir():
        return package / "build" / f"{pkg.name}-{pkg.version}.db"
    return package.with_suffix(".db")


def write_sqlite(package: str | os.PathLike[str], out: str | os.PathLike[str] | None = None) -> SqliteReport:
    """Write the SQLite database of ``package`` (a directory or release zip) to ``out``.

    The file appears whole or not at all (written beside it, then renamed).
    """
    package = Path(package)
    if not package.exists():
        raise UserError(f"{package}: no such package; pass a package directory (with datapackage.json) or a "
                        "release zip, or run `bigtech-events build` first")
    with PackageFiles(package) as pkg:
        target = Path(out) if out is not None else default_out(package, pkg)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.tmp")
        tmp.unlink(missing_ok=True)
        try:
            conn = sqlite3.connect(tmp, isolation_level=None)
            try:
                conn.execute("BEGIN")
                counts = _fill(conn, pkg)
                _check_keys(conn, package)
                conn.execute("COMMIT")
                conn.execute("VACUUM")
            finally:
                conn.close()
            os.replace(tmp, target)
        finally:
            tmp.unlink(missing_ok=True)
    return SqliteReport(target, counts)


def is_sqlite(path: Path) -> bool:
    """Whether ``path`` is a SQLite database file (by its header)."""
    try:
        with path.open("rb") as fh:
            return fh.read(len(SQLITE_MAGIC)) == SQLITE_MAGIC
    except OSError:
        return False


def stored_descriptor(path: Path) -> dict[str, Any]:
    """The package descriptor a database made by :func:`write_sqlite` carries."""
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
            row = conn.execute(f"SELECT descriptor FROM {DESCRIPTOR_TABLE}").fetchone()
    except sqlite3.DatabaseError:
        row = None
    if not row:
        raise UserError(f"{path}: not a database written by `bigtech-events sqlite` (no {DESCRIPTOR_TABLE} "
                        "table); pass a package directory or release zip instead")
    return dict(json.loads(row[0]))


def view_columns(path: Path) -> dict[str, list[str]]:
    """The columns of each view of :data:`VIEWS` the database at ``path`` has."""
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        return {name: [row[1] for row in conn.execute(f"PRAGMA table_info({quote(name)})")] for name in VIEWS}
