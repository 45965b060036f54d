"""The cue words, cue patterns and windows of the mention stages are read from rules/: editing a
copy of the rules changes what is found, and a defect in their keys is a one-line error naming
the file and line. Sentences are written for these tests (the grammars: test_grammars.py)."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pytest
from helpers import RULES_DIR, assert_rules_problem, edit_once

from bigtech_events.extract import Extractor
from bigtech_events.extract.ingest import split_sentences
from bigtech_events.ruleset import RuleSet, load_rules
from bigtech_events.seeds import Article

PUB = dt.date(2024, 3, 15)




def _sentences(r: RuleSet, text: str) -> list[str]:
    return [text[s:e] for s, e in split_sentences(text, 0, len(text), r.lexicon.sentences)]


def _affiliations(r: RuleSet, text: str) -> set[tuple[str, str, str]]:
    text = "Headline for the test\n\n" + text
    art = Article("cue-test", text, hashlib.sha256(text.encode()).hexdigest(),
                  {"title": "Headline for the test", "publisher": "p", "published": PUB.isoformat(),
                   "language": "en"}, Path("x.txt"))
    rows = Extractor(r).extract(art).rows["affiliations"]
    return {(a["subject_id"], a["object_id"], a["title"]) for a in rows}


def _places(r: RuleSet, text: str) -> list[str]:
    art = Article("cue-test", text, hashlib.sha256(text.encode()).hexdigest(),
                  {"title": "t", "publisher": "p", "published": PUB.isoformat(), "language": "en"}, Path("x.txt"))
    doc, _ = Extractor(r).analyse(art)
    return [m.text for m in doc.mentions if m.location]


def test_shipped_cue_keys_load_with_their_windows():
    r = load_rules(RULES_DIR)
    lex = r.lexicon
    assert {"Mr", "No", "U.S"} <= lex.sentences.abbreviations
    assert (lex.sentences.abbreviation_chars, lex.actors.before_chars, lex.actors.after_chars) == (12, 40, 80)
    assert lex.titles.appositive_mentions == 2 and lex.titles.not_after_name_chars == 30
    assert lex.actors.currency_marks == "$€£¥"
    assert [rid for rid, _ in r.events.dates.patterns][:2] == ["date.end-of-month", "date.weekday-date"]
    assert r.money.conversion_after_chars == 3 and set(r.money.patterns) == {"money.prefix", "money.suffix"}


def test_an_abbreviation_removed_from_the_list_ends_a_sentence(rules_copy: Path):
    text = "Mr. Ma met the officials. They talked."
    assert _sentences(load_rules(rules_copy), text) == ["Mr. Ma met the officials.", "They talked."]
    edit_once(rules_copy / "boilerplate.yaml", "abbreviations: [Mr, ", "abbreviations: [")
    assert _sentences(load_rules(rules_copy), text)[:2] == ["Mr.", "Ma met the officials."]


def test_a_place_preposition_removed_from_the_list_no_longer_marks_a_place(rules_copy: Path):
    text = "Alibaba opened an office in Chongqing on Monday."
    assert _places(load_rules(rules_copy), text) == ["Chongqing"]
    edit_once(rules_copy / "disambiguation.yaml", "prepositions: [in, In, ", "prepositions: [")
    assert _places(load_rules(rules_copy), text) == []


def test_a_post_removed_from_the_government_defaults_finds_no_government(rules_copy: Path):
    text = "Hangzhou hosted a forum on Monday. It was opened by mayor Yao Gaoyuan."
    assert ("yao-gaoyuan", "hangzhou", "mayor") in _affiliations(load_rules(rules_copy), text)
    edit_once(rules_copy / "titles.yaml", "government_default_titles: [mayor, ", "government_default_titles: [")
    assert not any(a[0] == "yao-gaoyuan" for a in _affiliations(load_rules(rules_copy), text))


@pytest.mark.parametrize(("file", "old", "new", "message"), [
    ("boilerplate.yaml", "  initial_chars: 2 ", "  ", "missing key 'initial_chars' in windows; add it"),
    ("boilerplate.yaml", "  abbreviation_chars: 12", "  abbrevation_chars: 12", "unknown key 'abbrevation_chars' in windows; did you mean 'abbreviation_chars'?"),
    ("disambiguation.yaml", "before_chars: 40", "before_chars: forty", "before_chars"),
    ("titles.yaml", "appointing_types: [company,", "appointing_types: [firm, company,", "unknown actor type 'firm'"),
    ("titles.yaml", "government_default_titles: [mayor,", "government_default_titles: [mayr,", "'mayr', which is not the `title`"),
])
def test_a_defect_in_a_cue_key_is_one_line_naming_file_and_line(rules_copy: Path, file: str, old: str, new: str,
                                                                message: str):
    edit_once(rules_copy / file, old, new)
    assert_rules_problem(rules_copy, file, message)
