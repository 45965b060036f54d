"""pandera schemas generated from ``schemas/`` (never written by hand).

The checks are column-wise: a pattern is one regular expression over the Arrow column (RE2,
in C++), an EDTF column parses each distinct value once, a date column is checked by its type.
Validation feeds the schema a batch of rows at a time (``keys=False``: uniqueness needs every
row and is checked by :mod:`.validate_keys` on the key columns alone).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import numpy as np
import pandas as pd
import pandera.pandas as pa
import pyarrow
import pyarrow.compute as pc

from .dates import valid_edtf
from .schemas import is_edtf, is_required, pandas_dtype

#: What RE2 (Arrow's regex engine) reads otherwise than Python's ``re``: Unicode-aware class
#: shorthands, word boundaries, inline flags, look-arounds and back-references. A pattern using
#: any of them is matched by ``re`` (once per distinct value) instead.
_NOT_RE2_SAFE = re.compile(r"\\[dDwWsSbBZAuUNx0-9]|\(\?")
_DATE32 = pd.ArrowDtype(pyarrow.date32())


def _arrow(s: pd.Series) -> pyarrow.Array | pyarrow.ChunkedArray:
    return pyarrow.array(s.astype("string[pyarrow]"), from_pandas=True)


def _series(mask: Any, s: pd.Series) -> pd.Series:
    values = mask.to_numpy(zero_copy_only=False) if hasattr(mask, "to_numpy") else np.asarray(mask)
    return pd.Series(values.astype(bool), index=s.index)


def _by_distinct(s: pd.Series, test: Any) -> pd.Series:
    """``test`` run once per distinct value of the column, spread back over its cells."""
    arr = _arrow(s)
    distinct = pc.unique(arr)
    good = pyarrow.array([v for v in distinct.to_pylist() if test(v)], type=pyarrow.string())
    return _series(pc.is_in(arr, value_set=good), s)


def pattern_check(pattern: str) -> Any:
    """A column check: every cell matches ``pattern`` in full (Python ``re.fullmatch`` semantics)."""
    rx = re.compile(pattern)
    if _NOT_RE2_SAFE.search(pattern):
        return lambda s: _by_distinct(s, lambda v: bool(rx.fullmatch(v)))
    anchored = f"^(?:{pattern})$"

    def check(s: pd.Series) -> pd.Series:
        try:
            return _series(pc.match_substring_regex(_arrow(s), anchored), s)
        except pyarrow.ArrowInvalid:  # a pattern RE2 cannot compile: Python's re reads it
            return _by_distinct(s, lambda v: bool(rx.fullmatch(v)))

    return check


def edtf_check(s: pd.Series) -> pd.Series:
    """Each distinct value of the column is parsed once (the fast path of :mod:`.dates` first)."""
    return _by_distinct(s, valid_edtf)


def date_check(s: pd.Series) -> pd.Series:
    """Every cell is a calendar date: true of the whole column when its type is Arrow's date."""
    if s.dtype == _DATE32:
        return pd.Series(True, index=s.index)
    return s.map(lambda v: isinstance(v, dt.date))


def _checks(field: dict[str, Any]) -> list[pa.Check]:
    c = field.get("constraints", {})
    checks: list[pa.Check] = []
    if "enum" in c:
        checks.append(pa.Check.isin(c["enum"], name="enum"))
    if "pattern" in c:
        checks.append(pa.Check(pattern_check(c["pattern"]), element_wise=False, name="pattern"))
    if "minimum" in c:
        checks.append(pa.Check.ge(c["minimum"], name="minimum"))
    if "maximum" in c:
        checks.append(pa.Check.le(c["maximum"], name="maximum"))
    if "minLength" in c:
        checks.append(pa.Check.str_length(min_value=c["minLength"], name="minLength"))
    if is_edtf(field):
        checks.append(pa.Check(edtf_check, element_wise=False, name="edtf"))
    if field["type"] == "date":
        checks.append(pa.Check(date_check, element_wise=False, name="date"))
    return checks


def load_backends() -> None:
    """Load what pandera loads at its first validation (its pandas backends and the modules they
    import: 0.2 s), so that worker processes forked afterwards do not each load it again."""
    pa.DataFrameSchema({}).validate(pd.DataFrame())


def pandera_schema(table: str, schema: dict[str, Any], keys: bool = True) -> pa.DataFrameSchema:
    """A pandera DataFrameSchema equivalent to the Table Schema ``schema``.

    Columns, order, dtypes, required (non-null), enum, pattern, minimum/maximum, EDTF and date
    checks, and, with ``keys``, unique columns and the (composite) primary key.
    """
    columns = {}
    for f in schema["fields"]:
        dtype = pandas_dtype(f, categorical=False)
        columns[f["name"]] = pa.Column(
            None if f["type"] == "date" else dtype,
            checks=_checks(f),
            nullable=not is_required(f),
            unique=keys and bool(f.get("constraints", {}).get("unique", False)),
            coerce=False,
            name=f["name"],
        )
    pk = schema.get("primaryKey") or []
    return pa.DataFrameSchema(
        columns,
        strict=True,
        ordered=True,
        unique=list(pk) if keys and len(pk) > 1 else None,
        name=table,
    )


def empty_frame(schema: dict[str, Any]) -> pd.DataFrame:
    return pd.DataFrame({f["name"]: pd.Series([], dtype=pandas_dtype(f, categorical=False))
                         for f in schema["fields"]})
