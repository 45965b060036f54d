"""Patterns as they are scanned (extract/scanning.py): the pattern a rule is scanned with finds
the same matches, with the same groups, as the rule's own pattern, wherever a scan starts and ends."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from helpers import RULES_DIR, SEEDS_DIR
from hypothesis import given, settings
from hypothesis import strategies as st

from bigtech_events.extract.dates import required_words
from bigtech_events.extract.scanning import first_chars, lookahead, scanned
from bigtech_events.ruleset import load_rules
from bigtech_events.ruleset.compile import rule_patterns
from bigtech_events.seeds import load_article, seed_paths

RULES = load_rules(RULES_DIR)
SYNTHETIC = Path(__file__).parent / "fixtures" / "synthetic"


def _rule_regexes() -> list[re.Pattern[str]]:
    """Every pattern of the rule set the extraction scans sentences with."""
    out = [rx for _, rx in rule_patterns(RULES)]
    out += [v for v in vars(RULES.grammar).values() if isinstance(v, re.Pattern)]
    out += [v for v in vars(RULES.lexicon.titles).values() if isinstance(v, re.Pattern)]
    out += [v for v in vars(RULES.titles).values() if isinstance(v, re.Pattern)]
    out += [rx for rx in RULES.money.patterns.values()]
    out += [rx for _, rx in RULES.executives]
    return out


REGEXES = _rule_regexes()


def _found(rx: re.Pattern[str], text: str, start: int, end: int) -> list[tuple[object, ...]]:
    return [(m.span(), m.regs, m.groupdict()) for m in rx.finditer(text, start, end)]


def _same(rx: re.Pattern[str], text: str, start: int, end: int) -> None:
    fast = scanned(rx)
    assert _found(fast, text, start, end) == _found(rx, text, start, end), rx.pattern[:80]
    m, f = rx.search(text, start, end), fast.search(text, start, end)
    assert (m and (m.span(), m.regs)) == (f and (f.span(), f.regs)), rx.pattern[:80]


def test_the_rules_scanned_find_what_the_rules_find_in_the_articles():
    texts = [load_article(p).text for p in seed_paths(SEEDS_DIR)]
    texts += [p.read_text(encoding="utf-8") for p in sorted(SYNTHETIC.glob("*.txt"))]
    assert len(texts) > 10
    faster = [rx for rx in REGEXES if scanned(rx) is not rx]
    assert len(faster) > 20  # the triggers and date patterns open with \b: most are made faster
    for text in texts:
        for rx in REGEXES:
            _same(rx, text, 0, len(text))
            _same(rx, text, len(text) // 3, 2 * len(text) // 3)  # cut in mid-word, as a clause is
            words = required_words(rx)
            assert words is None or all(words.search(text, m.start(), m.end()) for m in rx.finditer(text))


WORDS = ["the", "The", "fined", "banned", "signed", "Kelvin", "\u212aelvin", "\u017figned", "İt", "it", "he",
         "said", "that", "three", "companies", ",", ";", " - ", "\n", "  ", "(", ")", "’s", "'s", "2023",
         "May", "June", "5", "Zhang", "Wei", "Liu", "Ant", "Group", "in", "on", "by", "a", "an", "-"]
texts = st.lists(st.sampled_from(WORDS), max_size=30).map(" ".join) | st.text(
    alphabet="abkKsS\u212a\u017fİi tT,.;-’'\n2", max_size=40)


SHAPES = [r"\b(?:fined|banned)\b", r"(?<![\w’'])(it|he|she)(?![\w’'])", r"(?i)\b(?:kelvin|sign)",
          r"\b(?i:k)elvin", r"(?:(?P<a>the)\s+)?(?P<b>[A-Z]\w+)", r"(?:a|)b", r"\b(?:x*|y)z",
          r"(?=a)\w+\b", r"(?:(?<=a)|\b)c", r"\b[^\W\d]+", r"\b(?-i:K)", r"(?i)\b(?-i:K)s",
          r"\b(?:ab){0}c", r"(?:\bq)?[^a-z]", r"(?<!x)\b(?>ab|a)c", r"\b(?:a|b)++c", r"(?i)(?<!ſ)\bs\w"]


@pytest.mark.parametrize("patterns", [REGEXES, [re.compile(shape) for shape in SHAPES]], ids=["rules", "shapes"])
@settings(max_examples=150)
@given(text=texts, data=st.data())
def test_patterns_scanned_find_what_they_find_anywhere(patterns, text, data):
    """Every rule pattern, and patterns of every shape the scanning handles or refuses."""
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    for rx in patterns:
        _same(rx, text, start, end)


def test_first_characters():
    assert lookahead(first_chars(re.compile(r"\b(?<!x)(?:ab|cd)")) or []) == r"(?-i:[\U00000061\U00000063])"
    assert lookahead(first_chars(re.compile(r"(?i)\b(?:k|(?-i:Q))")) or []) == (
        r"(?-i:[\U00000051])|(?i:[\U0000006b])")
    assert lookahead(first_chars(re.compile(r"(?:the\s+)?[^a]")) or []) == r"(?-i:[^\U00000061])|(?-i:[\U00000074])"
    assert first_chars(re.compile(r"\b(?:a|)")) is None  # may match empty: no first character
    assert first_chars(re.compile(r"(\w)\1?x|(?:y)")) is not None
    assert first_chars(re.compile(r"(a)?\1")) is None  # a back-reference first: not known
    assert first_chars(re.compile(r"\b.x")) is None  # any character: not worth knowing
    assert first_chars(re.compile(r"(?a:\w)")) is None  # ASCII changes what \w matches: not known


def test_a_pattern_scanned_fast_enough_already_is_kept():
    for pattern in [r"fined", r"[;:]", r"\s+(it|them)\b", r"\s*\S*ing(?!\S)", r"(?x)\b fined # comment"]:
        rx = re.compile(pattern)
        assert scanned(rx) is rx, pattern
    rx = re.compile(r"\bfined")
    assert scanned(rx) is not rx and scanned(rx) is scanned(rx)  # made once, then remembered


@settings(max_examples=100)
@given(texts)
def test_a_sentence_without_the_words_a_pattern_requires_is_not_scanned_in_vain(text):
    """The references and examples scan only sentences holding one of a pattern's required words
    (dates.required_words): every match holds one."""
    for rx in REGEXES:
        words = required_words(rx)
        for m in rx.finditer(text) if words is not None else ():
            assert words.search(text, m.start(), m.end()), rx.pattern[:80]
