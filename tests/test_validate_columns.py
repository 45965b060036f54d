"""The column-wise checks of validation decide each cell as the cell-by-cell Python checks do."""

from __future__ import annotations

import math
import re

import pandas as pd
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from bigtech_events.dates import valid_edtf
from bigtech_events.pandera_schemas import edtf_check, pattern_check
from bigtech_events.tableio import _convert, convert_csv

PATTERNS = ["^[a-z0-9][a-z0-9-]{2,80}$", "^[0-9X.~?%/\\-]+$", "^Q[1-9][0-9]*$", "^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$",
            "^\\d{4}$", "^\\w+\\s\\w+$"]
CELLS = st.text(alphabet=st.sampled_from(list("az09Q-X.~?%/ \n٣éZ_")), max_size=12)


def _strings(values: list[str]) -> pd.Series:
    return pd.Series(values, dtype=pd.StringDtype("pyarrow"))


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(PATTERNS), st.lists(CELLS, max_size=20))
def test_pattern_check_is_a_python_fullmatch(pattern: str, values: list[str]):
    got = pattern_check(pattern)(_strings(values)).tolist()
    assert got == [bool(re.fullmatch(pattern, v)) for v in values]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(["2023-07-16", "2023-02-30", "2023-07~", "2023-05/2023-07", "../2023",
                                 "July 2023", "2023-21", "2023-13", "2023-07-16T10:00:00", ""]), max_size=20))
def test_edtf_check_parses_each_value_as_the_parser_does(values: list[str]):
    assert edtf_check(_strings(values)).tolist() == [valid_edtf(v) for v in values]


def _python(value: str, ftype: str) -> object:
    try:
        return _convert(value, ftype)
    except ValueError:
        return "error"


@settings(max_examples=120, deadline=None)
@given(st.sampled_from(["integer", "number", "boolean", "date"]),
       st.lists(st.one_of(st.sampled_from(["+5", "-0", "0012", " 1", "1_0", "1e3", "inf", "NaN", "1,5", ".5",
                                           "true", "False", "0", "maybe", "2023-02-30", "2023-07-16", "2023-W01-1",
                                           "20230716", "99999999999999999999"]),
                          st.text(alphabet="0123456789-+.eE_ :TtrufalsWN", max_size=11)), max_size=8))
def test_csv_columns_convert_as_each_cell_does(ftype: str, values: list[str]):
    schema = {"fields": [{"name": "c", "type": ftype}]}
    expected = [_python(v, ftype) for v in values]
    if any(isinstance(v, int) and not -2**63 <= v < 2**63 for v in expected):
        return  # beyond int64: neither reader can hold it
    table, problems = convert_csv(pa.record_batch({"c": pa.array(values, pa.string())}), schema, "t", 2)
    assert [int(p.split(":line ")[1].split(":")[0]) - 2 for p in problems] == \
        [i for i, v in enumerate(expected) if v == "error"]
    if table is not None:
        got = table.column("c").to_pylist()
        assert all(g == e or (math.isnan(g) and math.isnan(e)) for g, e in zip(got, expected, strict=True))
