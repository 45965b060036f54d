"""The data dictionary, ``docs/data-dictionary.md``, generated from ``schemas/``.

Regenerate after a schema change with::

    python -m bigtech_events.dictionary

A test fails while the committed file differs from what this writes.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pandas as pd

from .paths import project_path
from .schemas import TABLES, load_schemas, pandas_dtype


def dictionary_path() -> Path:
    """The project's ``docs/data-dictionary.md``."""
    return project_path("docs", "data-dictionary.md")


def _cell(text: Any) -> str:
    """Text safe inside a Markdown table cell."""
    return " ".join(str(text).split()).replace("|", "\\|")


def _code(value: Any) -> str:
    return "`" + str(value).replace("|", "\\|") + "`"


def dtype_name(field: dict[str, Any]) -> str:
    """How :func:`bigtech_events.load` types the column."""
    dtype = pandas_dtype(field)
    if isinstance(dtype, pd.CategoricalDtype):
        return "category"
    if isinstance(dtype, pd.StringDtype):
        return f"string[{dtype.storage}]"
    if isinstance(dtype, pd.ArrowDtype):
        return f"{dtype.pyarrow_dtype}[pyarrow]"
    return str(dtype)


def constraints_text(field: dict[str, Any]) -> str:
    c = field.get("constraints", {})
    parts = []
    if c.get("unique"):
        parts.append("unique")
    if "enum" in c:
        parts.append("one of " + ", ".join(_code(v) for v in c["enum"]))
    if "pattern" in c:
        parts.append("pattern " + _code(c["pattern"]))
    for key, label in (("minimum", "≥"), ("maximum", "≤")):
        if key in c:
            parts.append(f"{label} {c[key]}")
    for key, label in (("minLength", "length ≥"), ("maxLength", "length ≤")):
        if key in c:
            parts.append(f"{label} {c[key]}")
    if field.get("x-format") == "edtf":
        parts.append("EDTF date")
    return "; ".join(parts)


def _keys_lines(table: str, schema: dict[str, Any]) -> list[str]:
    pk = schema.get("primaryKey") or []
    lines = [f"- Primary key: {', '.join(_code(k) for k in pk) or 'none'}"]
    for fk in schema.get("foreignKeys", []):
        ref = fk["reference"]
        target = ref.get("resource") or table
        lines.append(f"- Foreign key: {', '.join(_code(f) for f in fk['fields'])} → "
                     f"[{target}](#{target}).{', '.join(_code(f) for f in ref['fields'])}")
    lines.append(f"- Files: `dataset/{table}.parquet`, `dataset/{table}.csv`")
    return lines


def table_section(table: str, schema: dict[str, Any]) -> list[str]:
    lines = [f"## {table}", "", _cell(schema.get("description", "")), "", *_keys_lines(table, schema), ""]
    lines += ["| column | type | loaded as | required | constraints | description |",
              "|---|---|---|---|---|---|"]
    for f in schema["fields"]:
        required = "yes" if f.get("constraints", {}).get("required") else "no"
        lines.append(f"| {_code(f['name'])} | {f['type']} | {dtype_name(f)} | {required} | "
                     f"{constraints_text(f)} | {_cell(f.get('description', ''))} |")
    return lines + [""]


def render(schemas: dict[str, dict[str, Any]]) -> str:
    """The whole data dictionary as Markdown."""
    lines = [
        "# Data dictionary",
        "",
        "<!-- Generated from schemas/ by `python -m bigtech_events.dictionary`; do not edit by hand. -->",
        "",
        ("Every table of the package, its columns, types, constraints, descriptions and keys, as "
        "declared in `schemas/<table>.schema.json` (the single source). *type* is the Table Schema "
        "type; *loaded as* is the pandas dtype that `bigtech_events.load()` gives the column. "
        "Missing values are empty cells in CSV, nulls in Parquet and `<NA>` in pandas. Character "
        "offsets are Unicode code point offsets into the article text, end exclusive."),
        "",
        "| table | one row per | primary key |",
        "|---|---|---|",
    ]
    for table in (t for t in TABLES if t in schemas):
        s = schemas[table]
        pk = ", ".join(_code(k) for k in s.get("primaryKey") or [])
        lines.append(f"| [{table}](#{table}) | {_cell(s.get('description', ''))} | {pk} |")
    lines.append("")
    for table in (t for t in TABLES if t in schemas):
        lines += table_section(table, schemas[table])
    return "\n".join(lines).rstrip("\n") + "\n"


def main(argv: list[str] | None = None) -> int:
    """Write docs/data-dictionary.md (or the path given as the only argument)."""
    args = sys.argv[1:] if argv is None else argv
    target = Path(args[0]) if args else dictionary_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render(load_schemas()), encoding="utf-8")
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
