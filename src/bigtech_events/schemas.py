"""Table Schemas in ``schemas/`` are the single source of every column.

Everything else is generated from them here: the Arrow schemas used to
write Parquet (with field descriptions in the Parquet metadata), the pandas
dtypes of loaded tables, the pandera schemas used by validation and the
resources of ``datapackage.json``.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

import pyarrow as pa

from .contract.vocab import read_table_schema
from .errors import UserError
from .paths import project_path

#: Tables in dependency order (a table only refers to tables before it,
#: except self references).
TABLES: tuple[str, ...] = (
    "articles",
    "actors",
    "actor_aliases",
    "mentions",
    "events",
    "event_mentions",
    "event_participants",
    "affiliations",
    "exchange_rates",
    "amounts",
)

SCHEMA_PROFILE = "https://datapackage.org/profiles/2.0/tableschema.json"

_ARROW_TYPES = {
    "string": pa.string(),
    "integer": pa.int64(),
    "number": pa.float64(),
    "boolean": pa.bool_(),
    "date": pa.date32(),
}


def _key_list(value: Any) -> list[Any]:
    return [value] if isinstance(value, str) else list(value) if isinstance(value, list) else [value]


def structure_problems(table: str, schema: Any, where: str,
                       others: dict[str, Any] | None = None) -> list[str]:
    """What makes a Table Schema unusable before any row is read: not an object, fields that are not
    named objects, a primary or foreign key naming a column (or a foreign key a table) that does not
    exist. ``others`` are the schemas of the other tables, by name, for checking foreign keys."""
    if not isinstance(schema, dict):
        return [f"{where}: the schema is a JSON {type(schema).__name__}, not an object; fix the schema"]
    fields = schema.get("fields")
    if not isinstance(fields, list) or not all(isinstance(f, dict) and isinstance(f.get("name"), str)
                                               for f in fields):
        return [f"{where}: 'fields' must be a list of objects each with a 'name'; fix the schema"]
    names = {f["name"] for f in fields}
    problems = [f"{where}: primaryKey names column {c!r}, which is not a field of {table}; add the field or "
                "fix the key" for c in _key_list(schema.get("primaryKey", [])) if c not in names]
    fks = schema.get("foreignKeys", [])
    for fk in fks if isinstance(fks, list) else [fks]:
        ref = fk.get("reference") if isinstance(fk, dict) else None
        if not isinstance(ref, dict):
            problems.append(f"{where}: a foreign key must be an object with 'fields' and 'reference'; fix it")
            continue
        problems += [f"{where}: foreign key names column {c!r}, which is not a field of {table}; fix the key"
                     for c in _key_list(fk.get("fields")) if c not in names]
        target = ref.get("resource") or table
        if others is None:
            continue
        if target != table and target not in others:
            problems.append(f"{where}: foreign key refers to table {target!r}, which does not exist; fix the "
                            "reference")
            continue
        target_schema = schema if target == table else others[target]
        target_names = {f.get("name") for f in target_schema.get("fields", []) if isinstance(f, dict)} \
            if isinstance(target_schema, dict) else set()
        problems += [f"{where}: foreign key refers to column {c!r}, which is not a field of {target}; fix the "
                     "reference" for c in _key_list(ref.get("fields")) if c not in target_names]
    return problems


def load_schema_file(path: Path) -> dict[str, Any]:
    """Read one ``<table>.schema.json`` file, with a one-line error on bad JSON or a broken structure."""
    schema = read_table_schema(path)
    problems = structure_problems(path.name.removesuffix(".schema.json"), schema, str(path))
    if problems:
        raise UserError(problems[0])
    for field in schema.get("fields", []):
        if field.get("type") not in _ARROW_TYPES:
            raise UserError(
                f"{path}: field {field.get('name')!r} has unsupported type {field.get('type')!r}; "
                f"use one of {', '.join(_ARROW_TYPES)}"
            )
    return schema


@lru_cache(maxsize=8)
def _load_all(schemas_dir: str) -> dict[str, dict[str, Any]]:
    schemas = {t: load_schema_file(Path(schemas_dir) / f"{t}.schema.json") for t in TABLES}
    for table, schema in schemas.items():
        problems = structure_problems(table, schema, str(Path(schemas_dir) / f"{table}.schema.json"), schemas)
        if problems:
            raise UserError(problems[0])
    return schemas


def load_schemas(schemas_dir: Path | None = None) -> dict[str, dict[str, Any]]:
    """All table schemas from ``schemas_dir`` (default: the project's ``schemas/``), deep-copied.

    Only building needs them: a package carries its schemas in ``datapackage.json``,
    and loading and validation read them from there.
    """
    loaded = _load_all(str(schemas_dir or project_path("schemas")))
    return json.loads(json.dumps(loaded))


def fields(schema: dict[str, Any]) -> list[dict[str, Any]]:
    return list(schema["fields"])


def column_names(schema: dict[str, Any]) -> list[str]:
    return [f["name"] for f in schema["fields"]]


def is_required(field: dict[str, Any]) -> bool:
    return bool(field.get("constraints", {}).get("required", False))


def is_edtf(field: dict[str, Any]) -> bool:
    return field.get("x-format") == "edtf"


def arrow_schema(schema: dict[str, Any]) -> pa.Schema:
    """The Arrow schema used to write a table's Parquet file.

    Field descriptions go into the Parquet field metadata; the table's
    description into the schema metadata.
    """
    arrow_fields = [
        pa.field(
            f["name"],
            _ARROW_TYPES[f["type"]],
            nullable=not is_required(f),
            metadata={"description": f.get("description", "")},
        )
        for f in schema["fields"]
    ]
    return pa.schema(arrow_fields, metadata={"description": schema.get("description", "")})


def pandas_dtype(field: dict[str, Any], categorical: bool = True) -> Any:
    """The pandas dtype a loaded column has (nullable, Arrow-backed; enums categorical).

    Validation reads enum columns as plain strings (``categorical=False``) so that a value
    outside the enum is reported instead of silently becoming missing.
    """
    import pandas as pd  # here: the modules a build imports before it forks its workers do not need it

    ftype = field["type"]
    if ftype == "string":
        if categorical and "enum" in field.get("constraints", {}):
            return pd.CategoricalDtype(categories=field["constraints"]["enum"], ordered=False)
        return pd.StringDtype("pyarrow")
    return {
        "integer": pd.Int64Dtype(),
        "number": pd.Float64Dtype(),
        "boolean": pd.BooleanDtype(),
        "date": pd.ArrowDtype(pa.date32()),
    }[ftype]


def resource_schema(schema: dict[str, Any], resource_names: dict[str, str]) -> dict[str, Any]:
    """The schema as embedded in a package resource.

    ``resource_names`` maps table names to the resource names that the
    foreign keys must point at (the CSV and Parquet resources each refer to
    their own format).
    """
    out = json.loads(json.dumps(schema))
    out.pop("title", None)
    for fk in out.get("foreignKeys", []):
        ref = fk["reference"]
        if "resource" in ref:
            ref["resource"] = resource_names[ref["resource"]]
    return out
