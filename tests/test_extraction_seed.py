"""Rows the rules must give for the seed article, as a careful reader records them."""

from __future__ import annotations

from functools import lru_cache

import pytest
from helpers import RULES_DIR, SEEDS_DIR, assert_spans_reproduce

from bigtech_events.extract import Extractor
from bigtech_events.ruleset import load_rules
from bigtech_events.seeds import load_article

SEED = "scmp-2023-07-16-big-tech-crackdown-over"


@lru_cache(maxsize=1)
def result():
    article = load_article(SEEDS_DIR / f"{SEED}.txt")
    return article, Extractor(load_rules(RULES_DIR)).extract(article)


def events():
    _, r = result()
    parts = {}
    for p in r.rows["event_participants"]:
        parts.setdefault(p["event_id"], set()).add((p["actor_id"], p["role"]))
    return [(e["event_type"], e["date"], e["modality"], frozenset(parts.get(e["event_id"], ()))) for e in
            r.rows["events"]]


def find(event_type, *actors):
    hits = [e for e in events() if e[0] == event_type and set(actors) <= {a for a, _ in e[3]}]
    assert len(hits) == 1, f"expected one {event_type} with {actors}, got {hits}"
    return hits[0]


def test_body_excludes_page_chrome_and_publisher_credit():
    article, r = result()
    body = article.text[r.article_row["body_start"]:r.article_row["body_end"]]
    assert body.startswith("China’s Big Tech crackdown over")
    assert body.endswith("clampdowns on the tech sector.")
    assert "Connect with us" not in body and "Leave a Reply" not in body


@pytest.mark.parametrize(("event_type", "actors", "date", "roles"), [
    ("agreement", ("qihoo-360", "hangzhou"), "2023-07-14", {("qihoo-360", "party"), ("hangzhou", "party")}),
    ("agreement", ("netease", "hangzhou"), "2023-07-01/2023-07-15",
     {("netease", "party"), ("hangzhou", "party"), ("yao-gaoyuan", "attendee"), ("ding-lei", "attendee")}),
    ("agreement", ("tianjin", "baidu"), "2023-05", {("tianjin", "party"), ("baidu", "party")}),
    ("agreement", ("shenzhen", "baidu"), "2023-07", {("shenzhen", "party"), ("baidu", "party")}),
    ("agreement", ("alibaba-group", "hangzhou"), "2023-01",
     {("hangzhou", "party"), ("alibaba-group", "party"), ("daniel-zhang", "attendee"), ("liu-jie", "attendee")}),
    ("meeting", ("yin-li", "kuaishou-technology", "xiaomi"), "2023-07-13", None),
    ("meeting", ("yin-yong", "daniel-zhang", "lei-jun"), "2023-07-06/2023-07-11",
     {("yin-yong", "party"), ("daniel-zhang", "party"), ("lei-jun", "party")}),
    ("meeting", ("li-qiang", "big-tech-firms"), "2023-07-12", {("li-qiang", "source"), ("big-tech-firms", "target")}),
    ("pledge", ("yin-li",), "2023-07-13", {("yin-li", "source")}),
    ("pledge", ("li-qiang", "internet-companies"), "2023-07-12", None),
    ("praise", ("liu-jie", "alibaba-group"), "2023-01", {("liu-jie", "source"), ("alibaba-group", "target")}),
    ("praise", ("daniel-zhang", "lei-jun"), "2023-07-06/2023-07-11", None),
    ("penalty", ("ant-group", "peoples-bank-of-china"), "2023-07-07",
     {("ant-group", "target"), ("peoples-bank-of-china", "source")}),
    ("penalty", ("alibaba-group",), "2021-04", {("alibaba-group", "target")}),
])
def test_seed_event(event_type, actors, date, roles):
    e = find(event_type, *actors)
    assert e[1] == date
    if roles is not None:
        assert set(e[3]) == roles


def test_planned_headquarters_is_an_investment_with_open_future_date():
    e = find("investment", "qihoo-360")
    assert e[2] == "planned" and e[1] == "2023-07-14/.."


def test_unnamed_ecommerce_company_is_not_invented():
    e = find("meeting", "yin-li")
    assert {a for a, _ in e[3]} == {"yin-li", "kuaishou-technology", "xiaomi"}


def test_curated_dates_are_marked_as_curated():
    _, r = result()
    curated = {(e["event_type"], e["date"]) for e in r.rows["events"] if e["date_basis"] == "curated"}
    assert curated == {("penalty", "2023-07-07"), ("meeting", "2023-07-12")}


REUTERS = ('Reuters, "China fines Ant 7.1 billion yuan", 2023-07-07, '
           "https://www.nasdaq.com/articles/china-fines-ant-7.1-billion-yuan")
XINHUA = ('Xinhua via People\'s Daily Online, "Chinese premier chairs symposium on platform economy", '
          "2023-07-13, http://en.people.cn/n3/2023/0713/c90000-20043382.html")


def test_a_curated_date_carries_the_public_source_that_gives_it():
    _, r = result()
    cited = {(e["event_type"], e["date_basis"]): e["date_source"] for e in r.rows["events"]
             if e["date_source"] is not None}
    assert cited[("penalty", "curated")] == REUTERS
    assert cited[("meeting", "curated")] == XINHUA
    # the pledge of the same sentence takes the meeting's curated date, and its source with it
    assert cited[("pledge", "context")] == XINHUA
    assert all(e["date_source"] is None for e in r.rows["events"]
               if e["date_basis"] in ("text", "unknown"))
    assert not any("SPEC" in str(e["date_source"]) for e in r.rows["events"])


def test_the_seed_records_no_retrieval_day_it_does_not_know():
    _, r = result()
    assert r.article_row["retrieved"] is None


def test_amounts_and_their_events():
    _, r = result()
    by_id = {e["event_id"]: e for e in r.rows["events"]}
    amounts = {(a["text"], a["value"], a["currency"], a["approximate"]): by_id[a["event_id"]]["date"]
               for a in r.rows["amounts"]}
    assert amounts == {("US$984 million", 984_000_000.0, "USD", False): "2023-07-07",
                       ("US$2.8 billion", 2_800_000_000.0, "USD", False): "2021-04"}


def test_no_number_that_is_not_money_becomes_an_amount():
    _, r = result()
    assert all(a["currency"] == "USD" for a in r.rows["amounts"]) and len(r.rows["amounts"]) == 2


@pytest.mark.parametrize(("subject", "relation", "obj", "title", "qualifier"), [
    ("yao-gaoyuan", "position", "hangzhou", "mayor", None),
    ("ding-lei", "position", "netease", "founder and CEO", None),
    ("yin-li", "position", "beijing", "party secretary", None),
    ("yin-yong", "position", "beijing", "mayor", None),
    ("daniel-zhang", "position", "alibaba-group", "chairman and CEO", "outgoing"),
    ("lei-jun", "position", "xiaomi", "founder and CEO", None),
    ("liu-jie", "position", "hangzhou", "party secretary", None),
    ("li-qiang", "position", "china", "premier", None),
    ("netease", "based_in", "hangzhou", None, None),
    ("qihoo-360", "based_in", "beijing", None, None),
    ("ant-group", "affiliate_of", "alibaba-group", None, None),
    ("alibaba-group", "owns", "south-china-morning-post", None, None),
    ("hangzhou", "part_of", "zhejiang", None, None),
])
def test_seed_affiliation(subject, relation, obj, title, qualifier):
    _, r = result()
    rows = [a for a in r.rows["affiliations"] if (a["subject_id"], a["relation"], a["object_id"]) ==
            (subject, relation, obj)]
    assert rows, f"{subject} {relation} {obj} missing"
    assert any(a["title"] == title and a["qualifier"] == qualifier for a in rows)


def test_people_sharing_a_name_part_stay_distinct():
    _, r = result()
    by_text = {}
    for m in r.rows["mentions"]:
        by_text.setdefault(m["text"], set()).add(m["actor_id"])
    assert by_text["Yin Yong"] == {"yin-yong"}
    assert by_text["Daniel Zhang Yong"] == {"daniel-zhang"}
    assert by_text["Zhang"] == {"daniel-zhang"}  # "company CEO Zhang"
    assert by_text["Liu"] == {"liu-jie"}
    assert "yin" not in {m["text"].lower() for m in r.rows["mentions"]}


def test_beijing_as_the_central_government_and_as_the_city():
    _, r = result()
    beijing = [(m["char_start"], m["actor_id"]) for m in r.rows["mentions"] if m["text"] == "Beijing"]
    assert [a for _, a in beijing] == ["china", "china", "beijing", "beijing", "beijing", "china"]


def test_every_row_reproduces_its_words():
    article, r = result()
    assert_spans_reproduce(article.text, r.rows)


def test_only_mentioned_actors_reach_the_table():
    _, r = result()
    assert set(r.actors) == {m["actor_id"] for m in r.rows["mentions"]}
    assert "ernie-bot" not in {p["actor_id"] for p in r.rows["event_participants"]}


def test_a_post_contradicting_the_curated_record_is_flagged_not_changed():
    import hashlib
    from pathlib import Path

    from bigtech_events.seeds import Article

    text = "In March 2010, Beijing mayor Yin Yong met Xiaomi founder and CEO Lei Jun."
    art = Article("post-check", text, hashlib.sha256(text.encode()).hexdigest(),
                  {"title": "t", "publisher": "p", "published": "2010-04-01", "language": "en"}, Path("x"))
    r = Extractor(load_rules(RULES_DIR)).extract(art)
    notes = [t["produced"] for t in r.trace if t["rule_id"] == "gazetteer.post-check"]
    assert any("contradiction: yin-yong mayor of beijing in 2010-03" in n for n in notes), notes
    assert any(a["subject_id"] == "yin-yong" and a["valid"] == "2010-03" for a in r.rows["affiliations"])


def test_seed_event_inventory_has_no_duplicates_or_extras():
    from collections import Counter

    assert Counter(e[0] for e in events()) == Counter(
        {"agreement": 6, "meeting": 3, "pledge": 2, "praise": 2, "penalty": 2, "investment": 1})


def test_locations_come_from_the_event_sentence_only():
    _, r = result()
    located = {(e["event_type"], e["location"]) for e in r.rows["events"] if e["location"]}
    assert located == {("meeting", "Beijing"), ("pledge", "Beijing"), ("investment", "Hangzhou")}
