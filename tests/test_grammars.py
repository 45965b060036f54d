"""Money and date grammars on the forms business news uses."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import pytest
from helpers import RULES_DIR

from bigtech_events.extract import Extractor
from bigtech_events.ruleset import load_rules


@lru_cache(maxsize=1)
def rules():
    return Extractor(load_rules(RULES_DIR)).rules


@pytest.mark.parametrize(("text", "expected"), [
    ("a fine of US$2.8 billion.", [("US$2.8 billion", 2.8e9, "USD", False)]),
    ("a $2.8bn fine", [("$2.8bn", 2.8e9, "USD", False)]),
    ("fined 18.228 billion yuan.", [("18.228 billion yuan", 18.228e9, "CNY", False)]),
    ("RMB 7.1 billion in fines", [("RMB 7.1 billion", 7.1e9, "CNY", False)]),
    ("HK$1.2 billion raised", [("HK$1.2 billion", 1.2e9, "HKD", False)]),
    ("paid 500,000 yuan", [("500,000 yuan", 5e5, "CNY", False)]),
    ("about 7.1 billion yuan ($984 million)", [("7.1 billion yuan", 7.1e9, "CNY", True),
                                               ("$984 million", 9.84e8, "USD", False)]),
    ("US$468bn, a record.", [("US$468bn", 4.68e11, "USD", False)]),
    ("RMB93.3 billion", [("RMB93.3 billion", 93.3e9, "CNY", False)]),
    ("18.3 billion yuan ($2.8 billion)", [("18.3 billion yuan", 18.3e9, "CNY", False),
                                          ("$2.8 billion", 2.8e9, "USD", False)]),
    ("nearly US$1 million", [("US$1 million", 1e6, "USD", True)]),
])
def test_money_forms(text, expected):
    found = rules().money.find(text)
    assert [(m.text, m.value, m.currency, m.approximate) for m in found] == expected
    if len(found) == 2:
        assert found[1].equivalent_of == 0


@pytest.mark.parametrize("text", ["Qihoo 360 grew", "in 2021", "a 5G network", "up 3.5%", "200 million users",
                                  "for two years", "Article 36", "the 700 HK shares"])
def test_numbers_that_are_not_money(text):
    assert rules().money.find(text) == []


PUB = dt.date(2023, 7, 16)  # a Sunday


@pytest.mark.parametrize(("text", "edtf"), [
    ("on Saturday", "2023-07-15"),
    ("on Friday", "2023-07-14"),
    ("last week", "2023-07-03/2023-07-09"),
    ("on July 7", "2023-07-07"),
    ("7 July 2023", "2023-07-07"),
    ("July 7, 2022", "2022-07-07"),
    ("in late 2020", "2020-10/2020-12"),
    ("in 2021", "2021"),
    ("in January", "2023-01"),
    ("in April 2021", "2021-04"),
    ("earlier this month", "2023-07-01/2023-07-15"),
    ("this year", "2023"),
    ("last month", "2023-06"),
    ("since November", "2022-11/.."),
])
def test_date_forms(text, edtf):
    found = rules().events.dates.find(f"It happened {text}.", 0, 100, PUB)
    assert len(found) == 1
    from bigtech_events.extract.dates import since

    x = found[0]
    when = since(x.when, PUB) if x.since else x.when
    assert when.edtf == edtf


def test_month_list_respectively():
    (x,) = rules().events.dates.find("signed deals in May and July, respectively.", 0, 100, PUB)
    assert [w.edtf for w in x.items] == ["2023-05", "2023-07"]


@pytest.mark.parametrize(("phrase", "ref", "edtf"), [
    ("a few days earlier", "2023-07-13", "2023-07-06/2023-07-11"),
    ("half a year later", "2023-01", "2023-07~"),
    ("soon after", "2023-07-07", "2023-07-07/2023-07-16"),
])
def test_relative_to_the_last_reported_date(phrase, ref, edtf):
    from bigtech_events.dates import edtf_bounds
    from bigtech_events.extract.dates import When, resolve_relative

    (x,) = rules().events.dates.find(f"It came {phrase}.", 0, 100, PUB)
    lo, hi = edtf_bounds(ref)
    w = resolve_relative(x.relative, When(ref, lo, hi, "day"), PUB, planned=False)
    assert w.edtf == edtf


@pytest.mark.parametrize(("phrase", "ref", "edtf"), [
    ("two days later", "2023-07-02", "2023-07-04"),
    ("three weeks earlier", "2023-07-30", "2023-07-09"),
])
def test_counted_relative_phrases(phrase, ref, edtf):
    from bigtech_events.dates import edtf_bounds
    from bigtech_events.extract.dates import When, resolve_relative

    (x,) = rules().events.dates.find(f"It came {phrase}.", 0, 100, PUB)
    lo, hi = edtf_bounds(ref)
    assert resolve_relative(x.relative, When(ref, lo, hi, "day"), PUB, planned=False).edtf == edtf


def test_over_the_next_years_is_a_planned_span():
    (x,) = rules().events.dates.find("It will invest over the next three years.", 0, 100, PUB)
    assert x.planned and x.when.edtf == "2023-07/2026-07"
