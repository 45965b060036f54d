"""EDTF helpers: bounds of an EDTF expression as Python dates.

The forms the build writes (a day, a month or a year, with an optional ``~``, ``?`` or ``%``
qualifier, and closed or half-open intervals of them) are read by a regular expression and the
calendar; anything else goes to the ``edtf`` package's full parser. Both give the same bounds
(tests/test_dates_fast.py compares them), and each distinct string is read once per process.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
import re
from functools import lru_cache

from edtf import parse_edtf

Bounds = tuple[dt.date | None, dt.date | None]

_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?[~?%]?")


def _to_date(st: object) -> dt.date | None:
    if st is None or (isinstance(st, float) and math.isinf(st)):
        return None
    return dt.date(st.tm_year, st.tm_mon, st.tm_mday)  # type: ignore[attr-defined]


def _simple(value: str) -> tuple[dt.date, dt.date] | None:
    """Bounds of a plain calendar date, month or year (qualifier allowed); None for other forms
    and for dates the calendar does not have."""
    m = _DATE.fullmatch(value)
    if m is None:
        return None
    year = int(m.group(1))
    if year < 1:
        return None
    if m.group(2) is None:
        return dt.date(year, 1, 1), dt.date(year, 12, 31)
    month = int(m.group(2))
    if not 1 <= month <= 12:
        return None  # seasons (21-24) and the like: the full parser's
    last = calendar.monthrange(year, month)[1]
    if m.group(3) is None:
        return dt.date(year, month, 1), dt.date(year, month, last)
    day = int(m.group(3))
    if not 1 <= day <= last:
        return None
    return dt.date(year, month, day), dt.date(year, month, day)


def _fast(value: str) -> Bounds | None:
    """Bounds of the forms the build writes, or None to ask the full parser."""
    if "/" not in value:
        return _simple(value)
    start, _, end = value.partition("/")
    lo = None if start == ".." else _simple(start)
    hi = None if end == ".." else _simple(end)
    if (start != ".." and lo is None) or (end != ".." and hi is None) or start == end == "..":
        return None
    return (lo[0] if lo else None), (hi[1] if hi else None)


@lru_cache(maxsize=65536)
def edtf_bounds(value: str) -> Bounds:
    """Earliest and latest calendar dates an EDTF expression allows (None when open)."""
    fast = _fast(value)
    if fast is not None:
        return fast
    parsed = parse_edtf(value)
    return _to_date(parsed.lower_strict()), _to_date(parsed.upper_strict())


@lru_cache(maxsize=65536)
def valid_edtf(value: str) -> bool:
    """Whether the string is a valid EDTF expression whose bounds are calendar dates (the edtf
    package accepts some days the calendar does not have, such as 0001-02-29)."""
    if _fast(value) is not None:
        return True
    try:
        edtf_bounds(value)
    except Exception:  # noqa: BLE001 - the edtf parser raises many unrelated exception types
        return False
    return True
