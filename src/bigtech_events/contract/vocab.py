"""Vocabularies and id patterns, read from the Table Schemas in ``schemas/``.

Every enum and pattern of the dataset is written once, as a field constraint in
``schemas/<table>.schema.json``; code and the rule-file schemas read it from
here instead of typing it again. Adding an event type is one edit to
``schemas/events.schema.json`` (and the rules that find it)::

    >>> "meeting" in enum("events", "event_type")
    True
    >>> bool(pattern("articles", "language").fullmatch("en"))
    True
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..errors import UserError
from ..paths import project_path

#: How ``events.cameo_code`` writes a CAMEO code: "CAMEO:057", not "057", so that CSV
#: readers that infer types (pandas, polars, R, spreadsheets) keep it as text with its zeros.
CAMEO_PREFIX = "CAMEO:"

#: The vocabularies by name, each as (table, field) of the column that defines it.
VOCABULARIES: dict[str, tuple[str, str]] = {
    "event_type": ("events", "event_type"),
    "plover_type": ("events", "plover_type"),
    "modality": ("events", "modality"),
    "relation": ("affiliations", "relation"),
    "role": ("event_participants", "role"),
    "actor_type": ("actors", "actor_type"),
}


def read_table_schema(path: Path) -> dict[str, Any]:
    """One ``schemas/<table>.schema.json`` as data, with a one-line error when missing or bad JSON.
    (Here, not in ``schemas``, so that reading a vocabulary imports no pandas or pyarrow.)"""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserError(f"{path}: schema file is missing; every table needs schemas/<table>.schema.json") from None
    except json.JSONDecodeError as exc:
        raise UserError(f"{path}:{exc.lineno}: invalid JSON ({exc.msg}); fix the schema file") from None


#: Table schemas handed over by :func:`use_schemas`, read instead of the project's ``schemas/``.
_GIVEN: dict[str, dict[str, Any]] = {}


def use_schemas(schemas: dict[str, dict[str, Any]]) -> None:
    """Read vocabularies from ``schemas`` (``{table: Table Schema}``) rather than the project's folder:
    for a process that has the code but not the project, such as a worker of a distributed build."""
    _GIVEN.clear()
    _GIVEN.update(schemas)


@lru_cache(maxsize=32)
def _fields(table: str, schemas_dir: str) -> dict[str, dict[str, Any]]:
    schema = read_table_schema(Path(schemas_dir) / f"{table}.schema.json")
    return {f["name"]: f for f in schema.get("fields", [])}


def _project_fields(table: str) -> dict[str, dict[str, Any]]:
    if table in _GIVEN:
        return {f["name"]: f for f in _GIVEN[table].get("fields", [])}
    return _fields(table, str(project_path("schemas")))


def constraints(table: str, field: str, schemas_dir: Path | None = None) -> dict[str, Any]:
    """The ``constraints`` of one column (a copy), e.g. ``{"required": True, "enum": [...]}``.

    ``schemas_dir`` defaults to the project's ``schemas/``.
    """
    fields = _fields(table, str(schemas_dir)) if schemas_dir else _project_fields(table)
    if field not in fields:
        raise UserError(f"schemas/{table}.schema.json: no field {field!r}; the code expects it, restore it")
    return dict(fields[field].get("constraints", {}))


def enum(table: str, field: str, schemas_dir: Path | None = None) -> tuple[str, ...]:
    """The allowed values of a column, in schema order."""
    values = constraints(table, field, schemas_dir).get("enum")
    if values is None:
        raise UserError(f"schemas/{table}.schema.json: field {field!r} has no enum; the code expects one")
    return tuple(values)


def pattern(table: str, field: str, schemas_dir: Path | None = None) -> re.Pattern[str]:
    """The compiled ``pattern`` constraint of a column (anchored as written in the schema)."""
    text = constraints(table, field, schemas_dir).get("pattern")
    if text is None:
        raise UserError(f"schemas/{table}.schema.json: field {field!r} has no pattern; the code expects one")
    return re.compile(text)


def vocabulary(name: str) -> tuple[str, ...]:
    """A vocabulary by its name in :data:`VOCABULARIES` (``vocabulary("event_type")``)."""
    return enum(*VOCABULARIES[name])
