"""EDTF helpers: bounds of an EDTF expression as Python dates."""

from __future__ import annotations

import datetime as dt
import math
from functools import lru_cache

from edtf import parse_edtf


def _to_date(st: object) -> dt.date | None:
    if st is None or (isinstance(st, float) and math.isinf(st)):
        return None
    return dt.date(st.tm_year, st.tm_mon, st.tm_mday)  # type: ignore[attr-defined]


@lru_cache(maxsize=4096)
def edtf_bounds(value: str) -> tuple[dt.date | None, dt.date | None]:
    """Earliest and latest calendar dates an EDTF expression allows (None when open)."""
    parsed = parse_edtf(value)
    return _to_date(parsed.lower_strict()), _to_date(parsed.upper_strict())
