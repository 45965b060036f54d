"""Property tests: extraction on arbitrary text, spans, determinism, money and date grammars."""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from edtf import parse_edtf
from helpers import RULES_DIR, assert_spans_reproduce
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bigtech_events.dates import edtf_bounds
from bigtech_events.extract import Extractor
from bigtech_events.extract.dates import When
from bigtech_events.ruleset import load_rules
from bigtech_events.seeds import Article

FRAGMENTS = [
    "Alibaba", "Ant Group", "People’s Bank of China", "Beijing", "Beijing-based", "mayor Yin Yong",
    "founder and CEO Lei Jun", "the company", "the city’s party secretary Liu Jie", "Liu", "he", "it",
    "signed a deal with", "fined", "was fined by", "met with", "in a meeting", "attended by",
    "US$984 million", "18.3 billion yuan ($2.8 billion)", "about HK$1.2bn", "360", "2021", "5G",
    "on Friday", "in May and July, respectively", "half a year later", "earlier this month",
    "In January,", "each", ",", ".", "’s", " and ", "\n\n", "“", "”", "Zhang Lidong", "Qihoo 360",
]


@lru_cache(maxsize=1)
def extractor() -> Extractor:
    return Extractor(load_rules(RULES_DIR))


def article(text: str, published: str = "2023-07-16") -> Article:
    data = text.encode("utf-8")
    return Article("prop-test", text, hashlib.sha256(data).hexdigest(),
                   {"title": "t", "publisher": "p", "published": published, "language": "en"}, Path("x.txt"))


texts = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=12)), max_size=40).map(" ".join)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts)
def test_extraction_never_crashes_spans_reproduce_and_is_deterministic(text):
    a = article(text)
    first = extractor().extract(a)
    second = extractor().extract(a)
    assert first.rows == second.rows and first.actors == second.actors
    assert_spans_reproduce(text, first.rows)
    gaz = extractor().rules.gazetteer
    for e in first.rows["events"]:
        if e["location"] is not None:  # a place named in the event's own sentence
            forms = [f for f, ids in gaz.forms.items() for i in ids if gaz.actors[i].name == e["location"]]
            assert any(f in e["evidence"] for f in forms + [e["location"]]), e
    ids = {m["mention_id"] for m in first.rows["mentions"]}
    for p in first.rows["event_participants"]:
        assert p["mention_id"] in ids


@settings(max_examples=100, deadline=None)
@given(texts)
def test_asserted_event_dates_never_after_publication(text):
    pub = dt.date(2023, 7, 16)
    for e in extractor().extract(article(text)).rows["events"]:
        assert e["date_start"] is None or e["date_end"] is None or e["date_start"] <= e["date_end"]
        if e["modality"] == "asserted" and e["date_basis"] != "curated" and e["date_start"] is not None:
            assert e["date_start"] <= pub, e
        lo, hi = edtf_bounds(e["date"])
        assert (lo, hi) == (e["date_start"], e["date_end"])


def format_money(value: float, currency: str) -> str:
    """Inverse of the money grammar for the round trip: 984000000, USD -> 'US$984 million'."""
    symbol = {"USD": "US$", "HKD": "HK$", "CNY": "RMB", "EUR": "€", "GBP": "£"}[currency]
    for word, mult in (("billion", 10**9), ("million", 10**6)):
        q = Decimal(str(value)) / mult
        if value >= mult and q == q.normalize():
            return f"{symbol}{q.normalize():f} {word}"
    return f"{symbol}{Decimal(str(value)).normalize():f}"


@given(st.integers(min_value=1, max_value=999_999), st.sampled_from(["", "million", "billion"]),
       st.sampled_from(["USD", "HKD", "CNY", "EUR", "GBP"]))
def test_money_parser_round_trips_what_it_formats(n, scale, currency):
    mult = {"": 1, "million": 10**6, "billion": 10**9}[scale]
    value = float(n * mult)
    words = format_money(value, currency)
    found = extractor().rules.money.find(f"It paid {words}.")
    assert len(found) == 1
    assert found[0].currency == currency and found[0].value == value


@given(st.sampled_from(["2023", "3,000", "Qihoo 360", "5G", "45%", "200 million users", "two years",
                        "July 2023", "No. 1"]))
def test_numbers_that_are_not_money_never_match(text):
    assert extractor().rules.money.find(f"In {text} it grew.") == []


date_phrases = st.sampled_from([
    "on Monday", "on Friday", "on Sunday", "last week", "earlier this month", "this year", "last year",
    "in January", "in December", "in April 2021", "on July 7", "7 July 2023", "in late 2020",
    "in early 2022", "in 2021", "yesterday", "since November", "in May and July, respectively",
])


@given(st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2030, 12, 31)), date_phrases)
def test_dates_resolve_to_valid_edtf_within_their_bounds(pub, phrase):
    grammar = extractor().rules.events.dates
    found = grammar.find(f"It happened {phrase}.", 0, 200, pub)
    assert found, phrase
    for x in found:
        whens = [x.when, *x.items] if x.when else list(x.items)
        for w in whens:
            assert isinstance(w, When)
            parse_edtf(w.edtf)
            if w.lo is not None and w.hi is not None:
                assert w.lo <= w.hi
            if phrase not in ("7 July 2023", "in April 2021", "in late 2020", "in early 2022", "in 2021"):
                # A past expression without a year never points after the publication date.
                assert w.lo is not None and w.lo <= pub, (phrase, pub, w)
            if phrase in ("yesterday", "last week", "earlier this month", "on Monday", "on Friday", "on Sunday"):
                assert w.hi is not None and w.hi <= pub, (phrase, pub, w)
