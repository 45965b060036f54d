"""One event per act: sentences that tell the same act make one event row and several
event_mentions rows. The sentences are written for these tests (not from any article)."""

from __future__ import annotations

from helpers import assert_spans_reproduce
from test_extraction_rules import run


def _mentions(r, event_id):
    return [m for m in r.rows["event_mentions"] if m["event_id"] == event_id]


def test_a_fine_told_in_the_lede_and_again_in_the_body_is_one_event_with_two_mentions():
    r, _ev = run("Meituan was fined by the State Administration for Market Regulation.\n\n"
                "Analysts expect more cases.\n\n"
                "The State Administration for Market Regulation fined Meituan on Tuesday for abusing its position.")
    penalties = [e for e in r.rows["events"] if e["event_type"] == "penalty"]
    assert len(penalties) == 1
    rows = _mentions(r, penalties[0]["event_id"])
    assert [m["primary"] for m in rows] == [True, False]
    assert rows[0]["char_start"] < rows[1]["char_start"]
    assert penalties[0]["date"] == "2024-03-12"  # the more precise date of the two sentences


def test_deals_of_one_city_with_two_companies_stay_two_events():
    _, ev = run("Hangzhou signed a deal with Alibaba Group on Monday.\n\n"
                "Hangzhou also signed a deal with NetEase on Monday.")
    assert len([e for e in ev if e[0] == "agreement"]) == 2


def test_fines_on_different_targets_stay_two_events():
    _, ev = run("The State Administration for Market Regulation fined Meituan on Friday.\n\n"
                "The State Administration for Market Regulation fined Tencent on Friday.")
    assert len([e for e in ev if e[0] == "penalty"]) == 2


def test_every_event_has_exactly_one_primary_mention_and_the_spans_reproduce():
    text = ("Headline for the test\n\nThe State Administration for Market Regulation fined Meituan on Friday.\n\n"
            "Meituan was fined by the State Administration for Market Regulation.")
    r, _ = run(text.split("\n\n", 1)[1])
    for e in r.rows["events"]:
        rows = _mentions(r, e["event_id"])
        assert sum(m["primary"] for m in rows) == 1
        primary = next(m for m in rows if m["primary"])
        assert (primary["char_start"], primary["trigger_start"], primary["rule_id"]) == (
            e["char_start"], e["trigger_start"], e["rule_id"])
    assert_spans_reproduce(text, r.rows)
