"""Extraction work grows linearly with an article's length (issue: long articles must not hang).

Time is not measured (it depends on the machine); work is. Every Python and C function call made
while extracting an article is counted, which is the same on every run for the same text. An
article of many numbered copies of a generated paragraph must cost about as many calls per copy
as one of a few copies: a step that scans the whole document once per mention, title or event
makes the calls per copy grow with the number of copies.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bigtech_events.extract.pipeline import Extractor
from bigtech_events.ruleset import load_rules
from bigtech_events.seeds import Article

ROOT = Path(__file__).resolve().parent.parent

# Sentences of our own, shaped like the news the rules read: titled people with and without known
# names, companies, places, money, dates, pronouns and surnames named again later.
PEOPLE = ["Mayor Qian", "Party Secretary Wu", "Alibaba founder Jack Ma", "chairman Zhang",
          "Tencent chief executive Pony Ma", "Vice Premier Liu He", "Governor Lin"]
FIRMS = ["Alibaba", "Tencent", "Baidu", "ByteDance", "Meituan", "JD.com", "Xiaomi"]
PLACES = ["Hangzhou", "Shanghai", "Shenzhen", "Beijing", "Tianjin"]
MONEY = ["5 million yuan ($700,000)", "US$1.2 billion", "18.2 billion yuan", "HK$300 million"]
WHEN = ["on Monday", "last week", "in May", "earlier this month", ""]
TEMPLATES = [
    "{person} met {firm} executives in {place} {when}.",
    "{place} signed a strategic cooperation agreement with {firm} {when}.",
    "The market regulator fined {firm} {money} {when}.",
    "{person} said the city would support the company.",
    "{firm} will invest {money} in a new headquarters in {place}.",
    "{person} visited {firm} {when} and praised its work.",
    "Regulators opened an investigation into {firm} {when}.",
    "{surname} told reporters that {firm} had agreed to the terms.",
]

sentences = st.builds(
    lambda t, person, firm, place, money, when: t.format(
        person=person, firm=firm, place=place, money=money, when=when,
        surname=person.split()[-1]).replace(" .", "."),
    st.sampled_from(TEMPLATES), st.sampled_from(PEOPLE), st.sampled_from(FIRMS),
    st.sampled_from(PLACES), st.sampled_from(MONEY), st.sampled_from(WHEN))
paragraphs = st.lists(sentences, min_size=3, max_size=6).map(" ".join)


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    return Extractor(load_rules(ROOT / "rules"))


def _article(paragraph: str, copies: int) -> Article:
    # numbered copies: a line printed twice would be read once, as page chrome
    text = "Headline\n\n" + "\n\n".join(f"({i}) {paragraph}" for i in range(1, copies + 1))
    meta = {"title": "Headline", "publisher": "Test", "published": "2023-07-20", "language": "en"}
    return Article(f"long-{copies}", text, hashlib.sha256(text.encode()).hexdigest(), meta,
                   Path(f"long-{copies}.txt"))


def _calls(extractor: Extractor, article: Article) -> int:
    count = 0

    def profile(frame, event, arg):  # the profiler's signature
        nonlocal count
        if event in ("call", "c_call"):
            count += 1

    sys.setprofile(profile)
    try:
        extractor.extract(article)
    finally:
        sys.setprofile(None)
    return count


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(paragraphs)
def test_calls_per_copy_do_not_grow_with_the_article(extractor, paragraph):
    few, many = 2, 32
    per_copy_few = _calls(extractor, _article(paragraph, few)) / few
    per_copy_many = _calls(extractor, _article(paragraph, many)) / many
    # linear work: the same calls per copy, less the fixed cost of an article spread thinner
    assert per_copy_many <= 1.1 * per_copy_few, (per_copy_few, per_copy_many)
