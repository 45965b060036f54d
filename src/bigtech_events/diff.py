"""Row-level and schema differences between two packages or releases.

Rows are matched by the table's primary key (ids are functions of content,
so the same fact keeps its id from build to build). For each table the diff
lists keys added and removed, and for keys in both the columns whose values
differ; schema changes (tables and columns added or removed, types, keys,
enum values, constraints, descriptions) are listed with the version bump
each one needs under the versioning policy:

- major: a table or column removed (a rename shows as removed + added), a
  column's type or a table's primary key changed, enum values removed;
- minor: a table, column, enum value or rows added;
- patch: rows removed or corrected, constraints or descriptions changed.

Matching is columnar (Arrow joins), so it does not loop over rows in Python
except for the rows that changed.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from .loader import PackageFiles

LEVELS = ("none", "patch", "minor", "major")


@dataclass
class Change:
    """One schema change and the version bump it needs."""

    level: str
    what: str


@dataclass
class TableDiff:
    table: str
    rows_old: int = 0
    rows_new: int = 0
    added: list[dict[str, Any]] = field(default_factory=list)
    removed: list[dict[str, Any]] = field(default_factory=list)
    changed: list[dict[str, Any]] = field(default_factory=list)
    schema: list[Change] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.added or self.removed or self.changed or self.schema)

    def changes(self) -> list[Change]:
        """Schema changes plus row changes, each with its level."""
        out = list(self.schema)
        if self.added:
            out.append(Change("minor", f"{len(self.added)} row(s) added"))
        if self.removed:
            out.append(Change("patch", f"{len(self.removed)} row(s) removed"))
        if self.changed:
            out.append(Change("patch", f"{len(self.changed)} row(s) changed"))
        return out

    def changed_columns(self) -> list[str]:
        cols: set[str] = set()
        for row in self.changed:
            cols.update(row["changes"])
        return sorted(cols)


@dataclass
class PackageDiff:
    old_version: str
    new_version: str
    tables: list[TableDiff]

    def required_bump(self) -> tuple[str, str]:
        """The smallest version bump the changes need, and the first change needing it."""
        best, reason = "none", "no changes"
        for t in self.tables:
            for c in t.changes():
                if LEVELS.index(c.level) > LEVELS.index(best):
                    best, reason = c.level, f"{t.table}: {c.what}"
        return best, reason

    def to_dict(self) -> dict[str, Any]:
        level, reason = self.required_bump()
        return {
            "old_version": self.old_version,
            "new_version": self.new_version,
            "required_bump": level,
            "required_bump_reason": reason,
            "tables": {
                t.table: {
                    "rows_old": t.rows_old,
                    "rows_new": t.rows_new,
                    "added": t.added,
                    "removed": t.removed,
                    "changed": t.changed,
                    "schema": [{"level": c.level, "change": c.what} for c in t.schema],
                }
                for t in self.tables
            },
        }


# ---------------------------------------------------------------- schema


def _fields(schema: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f["name"]: f for f in schema.get("fields", [])}


def _field_changes(name: str, old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    out = []
    if old.get("type") != new.get("type"):
        out.append(Change("major", f"column {name} type {old.get('type')} -> {new.get('type')}"))
    oc, nc = dict(old.get("constraints", {})), dict(new.get("constraints", {}))
    old_enum, new_enum = oc.pop("enum", None), nc.pop("enum", None)
    if old_enum is not None or new_enum is not None:
        gone = [v for v in old_enum or [] if new_enum is not None and v not in new_enum]
        came = [v for v in new_enum or [] if old_enum is not None and v not in old_enum]
        if gone:
            out.append(Change("major", f"column {name} enum values removed: {', '.join(map(str, gone))}"))
        if came:
            out.append(Change("minor", f"column {name} enum values added: {', '.join(map(str, came))}"))
        if (old_enum is None) != (new_enum is None):
            out.append(Change("patch", f"column {name} enum constraint {'added' if new_enum else 'dropped'}"))
    for key in sorted(set(oc) | set(nc)):
        if oc.get(key) != nc.get(key):
            out.append(Change("patch", f"column {name} constraint {key} {oc.get(key)!r} -> {nc.get(key)!r}"))
    if old.get("description") != new.get("description"):
        out.append(Change("patch", f"column {name} description changed"))
    return out


def schema_changes(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    """Differences between two Table Schemas, each with the bump it needs."""
    of, nf = _fields(old), _fields(new)
    out = [Change("major", f"column {n} removed") for n in of if n not in nf]
    out += [Change("minor", f"column {n} added") for n in nf if n not in of]
    for name in (n for n in nf if n in of):
        out += _field_changes(name, of[name], nf[name])
    if old.get("primaryKey") != new.get("primaryKey"):
        out.append(Change("major", f"primary key {old.get('primaryKey')} -> {new.get('primaryKey')}"))
    if old.get("foreignKeys", []) != new.get("foreignKeys", []):
        out.append(Change("patch", "foreign keys changed"))
    common_old = [n for n in of if n in nf]
    common_new = [n for n in nf if n in of]
    if common_old != common_new:
        out.append(Change("patch", "column order changed"))
    if old.get("description") != new.get("description"):
        out.append(Change("patch", "table description changed"))
    return out


# ---------------------------------------------------------------- rows


def _plain(value: Any) -> Any:
    """A JSON-friendly value (dates as ISO strings)."""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def _keys(table: pa.Table, pk: list[str]) -> list[dict[str, Any]]:
    rows = [{k: _plain(v) for k, v in r.items()} for r in table.select(pk).to_pylist()]
    return sorted(rows, key=lambda r: tuple(str(r[k]) for k in pk))


def _differs(a: pa.ChunkedArray, b: pa.ChunkedArray) -> pa.ChunkedArray:
    """True where the values differ (two nulls are equal)."""
    equal = pc.fill_null(pc.equal(a, b), False)
    both_null = pc.and_(pc.is_null(a), pc.is_null(b))
    return pc.invert(pc.or_(equal, both_null))


def row_changes(old: pa.Table, new: pa.Table, pk: list[str], columns: list[str]) -> TableDiff:
    """Rows added, removed and changed (in ``columns``) between two versions of a table."""
    diff = TableDiff("", old.num_rows, new.num_rows)
    old_keys, new_keys = old.select(pk), new.select(pk)
    diff.added = _keys(new_keys.join(old_keys, keys=pk, join_type="left anti"), pk)
    diff.removed = _keys(old_keys.join(new_keys, keys=pk, join_type="left anti"), pk)
    values = [c for c in columns if c not in pk]
    if not values:
        return diff
    both = old.select(pk + values).join(new.select(pk + values), keys=pk, join_type="inner",
                                        left_suffix="__old", right_suffix="__new")
    masks = {c: _differs(both[f"{c}__old"], both[f"{c}__new"]) for c in values}
    any_change = masks[values[0]]
    for m in list(masks.values())[1:]:
        any_change = pc.or_(any_change, m)
    changed = both.filter(any_change)
    flags = {c: masks[c].filter(any_change).to_pylist() for c in values}
    for i, row in enumerate(changed.to_pylist()):
        diff.changed.append({
            "key": {k: _plain(row[k]) for k in pk},
            "changes": {c: [_plain(row[f"{c}__old"]), _plain(row[f"{c}__new"])] for c in values if flags[c][i]},
        })
    diff.changed.sort(key=lambda r: tuple(str(r["key"][k]) for k in pk))
    return diff


def _comparable(old_schema: dict[str, Any], new_schema: dict[str, Any]) -> list[str]:
    of, nf = _fields(old_schema), _fields(new_schema)
    return [n for n in nf if n in of and of[n].get("type") == nf[n].get("type")]


def table_diff(old: PackageFiles, new: PackageFiles, table: str) -> TableDiff:
    """The diff of one table present in both packages."""
    old_schema, new_schema = old.schema(table), new.schema(table)
    changes = schema_changes(old_schema, new_schema)
    old_rows, new_rows = old.arrow_table(table), new.arrow_table(table)
    pk = list(new_schema.get("primaryKey") or [])
    columns = _comparable(old_schema, new_schema)
    if not pk or list(old_schema.get("primaryKey") or []) != pk or not set(pk) <= set(columns):
        pk = columns  # no usable shared key: rows are matched on all their comparable values
    if not pk:
        return TableDiff(table, old_rows.num_rows, new_rows.num_rows, schema=changes)
    diff = row_changes(old_rows.select(columns), new_rows.select(columns), pk, columns)
    diff.table, diff.schema = table, changes
    return diff


def diff_packages(old: PackageFiles, new: PackageFiles) -> PackageDiff:
    """The diff between two open packages, tables in the new package's order."""
    old_tables, new_tables = old.tables(), new.tables()
    out = []
    for table in new_tables:
        if table in old_tables:
            out.append(table_diff(old, new, table))
        else:
            rows = new.arrow_table(table)
            pk = list(new.schema(table).get("primaryKey") or rows.column_names)
            out.append(TableDiff(table, 0, rows.num_rows, added=_keys(rows, pk),
                                 schema=[Change("minor", "table added")]))
    for table in old_tables:
        if table not in new_tables:
            out.append(TableDiff(table, old.arrow_table(table).num_rows, 0,
                                 schema=[Change("major", "table removed")]))
    return PackageDiff(old.version, new.version, out)


def diff_paths(old_path: Any, new_path: Any) -> PackageDiff:
    """Diff two package directories or release zips."""
    with PackageFiles(old_path) as old, PackageFiles(new_path) as new:
        return diff_packages(old, new)


# ---------------------------------------------------------------- output


def _key_text(key: dict[str, Any]) -> str:
    if len(key) == 1:
        return str(next(iter(key.values())))
    return ", ".join(f"{k}={v}" for k, v in key.items())


def _short(value: Any, width: int = 40) -> str:
    text = repr(value)
    return text if len(text) <= width else text[: width - 1] + "…"


def _table_lines(t: TableDiff, limit: int) -> list[str]:
    if t.is_empty:
        return [f"{t.table}: unchanged ({t.rows_new} rows)"]
    head = (f"{t.table}: {len(t.added)} added, {len(t.removed)} removed, {len(t.changed)} changed "
            f"({t.rows_old} -> {t.rows_new} rows)")
    lines = [head]
    lines += [f"  schema ({c.level}): {c.what}" for c in t.schema]
    details = [f"  + {_key_text(k)}" for k in t.added]
    details += [f"  - {_key_text(k)}" for k in t.removed]
    for row in t.changed:
        cols = "; ".join(f"{c} {_short(a)} -> {_short(b)}" for c, (a, b) in row["changes"].items())
        details.append(f"  ~ {_key_text(row['key'])}: {cols}")
    lines += details[:limit]
    if len(details) > limit:
        lines.append(f"  … and {len(details) - limit} more (see --format json)")
    return lines


def render_text(diff: PackageDiff, limit: int = 20) -> str:
    """A readable report: one block per table, then the version bump the changes need."""
    lines = [f"china-bigtech-events {diff.old_version} -> {diff.new_version}"]
    for t in diff.tables:
        lines += _table_lines(t, limit)
    level, reason = diff.required_bump()
    lines.append(f"version bump needed: {level}" + ("" if level == "none" else f" ({reason})"))
    return "\n".join(lines) + "\n"


def render_json(diff: PackageDiff) -> str:
    return json.dumps(diff.to_dict(), indent=2, ensure_ascii=False, default=str) + "\n"


def render_markdown(diff: PackageDiff) -> list[str]:
    """Row-level summary as Markdown lines (per-table counts, changed columns, schema changes)."""
    lines = ["| table | rows | added | removed | changed | changed columns |",
             "|---|---:|---:|---:|---:|---|"]
    for t in diff.tables:
        cols = ", ".join(t.changed_columns())
        lines.append(f"| {t.table} | {t.rows_new} | {len(t.added)} | {len(t.removed)} | {len(t.changed)} "
                     f"| {cols} |".replace("|  |", "| |"))
    schema = [f"- {t.table} ({c.level}): {c.what}" for t in diff.tables for c in t.schema]
    if schema:
        lines += ["", "Schema changes:", "", *schema]
    level, reason = diff.required_bump()
    lines += ["", f"Version bump these changes need: {level}" + ("." if level == "none" else f" ({reason}).")]
    return lines
