"""Money and date grammars on the forms business news uses."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path

import pytest
from helpers import RULES_DIR, assert_rules_problem, edit_once

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


# The grammars are read from dates.yaml and money.yaml: an edit to a copy of the rules changes
# what is found, and a defect in their keys is a one-line error naming the file and line.



def test_a_number_word_removed_from_the_date_grammar_is_not_counted(rules_copy: Path):
    def found() -> list[str]:
        grammar = load_rules(rules_copy).events.dates
        return [x.rule_id for x in grammar.find("It came two days later.", 0, 40, PUB)]
    assert found() == ["date.counted-relative"]
    edit_once(rules_copy / "dates.yaml", "one: 1, two: 2, ", "one: 1, ")
    assert found() == ["date.reference-relative"]  # "days later", without the count


def test_a_preposition_kind_is_read_from_dates_yaml(rules_copy: Path):
    def edtf() -> str:
        (x,) = load_rules(rules_copy).events.dates.find("It held till June 2023.", 0, 40, PUB)
        return x.when.edtf
    edit_once(rules_copy / "dates.yaml", 'prepositions: ["on", in, ', 'prepositions: ["on", in, till, ')
    assert edtf() == "2023-06"
    edit_once(rules_copy / "dates.yaml", "{since: since, ", "{till: until, since: since, ")
    assert edtf() == "../2023-06-30"


def test_the_conversion_window_is_read_from_money_yaml(rules_copy: Path):
    text = "fined 18.3 billion yuan ($2.8 billion)"
    assert [m.rule_id for m in load_rules(rules_copy).money.find(text)] == ["money.suffix", "money.conversion"]
    edit_once(rules_copy / "money.yaml", "conversion_after_chars: 3", "conversion_after_chars: 0")
    assert [m.rule_id for m in load_rules(rules_copy).money.find(text)] == ["money.suffix", "money.prefix"]


@pytest.mark.parametrize(("file", "old", "new", "message"), [
    ("dates.yaml", 'prepositions: ["on", in,', "prepositions: [1, in,", "is a number (1), not text"),
    ("dates.yaml", "  - id: weekday-date\n", "  - id: weekday-dates\n", "'weekday-dates', which is not one of"),
    ("dates.yaml", "(?P<wd>{weekday})(?:,?", "(?P<wd>{weekdays})(?:,?", "{weekdays} is not one of"),
    ("dates.yaml", "end_of_month_days: [21, 31]", "end_of_month_days: [21]", "end_of_month_days lists 1 item(s)"),
    ("money.yaml", "  lead: '(?:(?P<approx>", "  lead: '((?:(?P<approx>", "does not compile"),
    ("money.yaml", "  conversion_after_chars: 3", "  conversion_after: 3", "unknown key 'conversion_after' in windows"),
])
def test_a_defect_in_a_grammar_key_is_one_line_naming_file_and_line(rules_copy: Path, file: str, old: str,
                                                                     new: str, message: str):
    edit_once(rules_copy / file, old, new)
    assert_rules_problem(rules_copy, file, message)
