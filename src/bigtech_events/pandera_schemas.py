"""pandera schemas generated from ``schemas/`` (never written by hand)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pandas as pd
import pandera.pandas as pa

from .dates import valid_edtf
from .schemas import is_edtf, is_required, pandas_dtype


def is_valid_edtf(value: str) -> bool:
    """True when ``value`` parses as EDTF (Library of Congress, levels 0-1)."""
    return valid_edtf(value)


def _edtf_cells(s: pd.Series) -> pd.Series:
    """Each distinct value of the column is read once."""
    ok = {v: is_valid_edtf(str(v)) for v in s.unique()}
    return s.map(ok)


def _checks(field: dict[str, Any]) -> list[pa.Check]:
    c = field.get("constraints", {})
    checks: list[pa.Check] = []
    if "enum" in c:
        checks.append(pa.Check.isin(c["enum"], name="enum"))
    if "pattern" in c:
        rx = re.compile(c["pattern"])
        checks.append(pa.Check(lambda s, rx=rx: s.astype("string").map(lambda v: bool(rx.fullmatch(v))),
                               element_wise=False, name="pattern"))
    if "minimum" in c:
        checks.append(pa.Check.ge(c["minimum"], name="minimum"))
    if "maximum" in c:
        checks.append(pa.Check.le(c["maximum"], name="maximum"))
    if "minLength" in c:
        checks.append(pa.Check.str_length(min_value=c["minLength"], name="minLength"))
    if is_edtf(field):
        checks.append(
            pa.Check(_edtf_cells, element_wise=False, name="edtf")
        )
    if field["type"] == "date":
        checks.append(
            pa.Check(
                lambda s: s.map(lambda v: isinstance(v, dt.date)), element_wise=False, name="date"
            )
        )
    return checks


def pandera_schema(table: str, schema: dict[str, Any]) -> pa.DataFrameSchema:
    """A pandera DataFrameSchema equivalent to the Table Schema ``schema``.

    Columns, order, dtypes, required (non-null), unique, enum, pattern,
    minimum/maximum, EDTF and date checks, and the (composite) primary key.
    """
    columns = {}
    for f in schema["fields"]:
        dtype = pandas_dtype(f, categorical=False)
        columns[f["name"]] = pa.Column(
            None if f["type"] == "date" else dtype,
            checks=_checks(f),
            nullable=not is_required(f),
            unique=bool(f.get("constraints", {}).get("unique", False)),
            coerce=False,
            name=f["name"],
        )
    pk = schema.get("primaryKey") or []
    return pa.DataFrameSchema(
        columns,
        strict=True,
        ordered=True,
        unique=list(pk) if len(pk) > 1 else None,
        name=table,
    )


def empty_frame(schema: dict[str, Any]) -> pd.DataFrame:
    return pd.DataFrame({f["name"]: pd.Series([], dtype=pandas_dtype(f, categorical=False))
                         for f in schema["fields"]})
