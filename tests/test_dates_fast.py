"""The fast reading of EDTF strings agrees with the edtf package's full parser."""

from __future__ import annotations

from edtf import parse_edtf
from hypothesis import given, settings
from hypothesis import strategies as st

from bigtech_events.dates import _fast, _to_date, edtf_bounds, valid_edtf

years = st.integers(1, 2999).map(lambda y: f"{y:04d}")
single = st.builds(
    lambda y, m, d, q: y + (f"-{m:02d}" if m is not None else "") + (f"-{d:02d}" if m is not None and d is not None else "") + q,
    years, st.none() | st.integers(0, 25), st.none() | st.integers(0, 33), st.sampled_from(["", "~", "?", "%"]))
bound = single | st.just("..")
forms = single | st.builds(lambda a, b: f"{a}/{b}", bound, bound)


def _full(value: str):
    try:
        parsed = parse_edtf(value)
        return _to_date(parsed.lower_strict()), _to_date(parsed.upper_strict())
    except Exception:  # noqa: BLE001 - the parser, or a day the calendar does not have
        return None


@settings(max_examples=400)
@given(forms)
def test_fast_bounds_equal_the_full_parsers(value):
    full = _full(value)
    fast = _fast(value)
    if fast is not None:  # whatever the fast path reads, the full parser reads the same way
        assert full == fast
    assert valid_edtf(value) == (full is not None)
    if full is not None:
        assert edtf_bounds(value) == full


def test_a_day_the_calendar_does_not_have_is_not_valid():
    assert not valid_edtf("0001-02-29") and not valid_edtf("2023-02-29")
    assert valid_edtf("2024-02-29")


def test_the_forms_the_build_writes_take_the_fast_path():
    for value in ["2023", "2023-07", "2023-07-20", "2023-07~", "2024-02-29", "../2023-07-20",
                  "2023-07-20/..", "2023-07-01/2023-07-20", "2023-07-20~/2023-08"]:
        assert _fast(value) is not None, value
    for value in ["2023-21", "2023-02-30", "2023/", "..", "2023-13"]:
        assert _fast(value) is None, value
