"""The keyword pass (extract/prefilter.py): a rule it leaves out of a sentence cannot match there,
so prefiltered and unfiltered matching find the same matches and the build the same rows."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from types import SimpleNamespace

import pytest
from helpers import REPO, RULES_DIR
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bigtech_events.evaluate import prepare_seeds
from bigtech_events.extract import pipeline
from bigtech_events.extract.pipeline import Extractor
from bigtech_events.extract.prefilter import (
    CueIndex,
    fold,
    required_cues,
    sentence_cues,
    worth_trying,
)
from bigtech_events.lint import cueless_rules
from bigtech_events.ruleset import load_rules
from bigtech_events.ruleset.compile import rule_patterns
from bigtech_events.seeds import load_article, seed_paths

RULES = load_rules(RULES_DIR)
PATTERNS = [rx for _, rx in rule_patterns(RULES)]
# The words the rules are made of: every cue word, and the words of the patterns' literal text.
RULE_WORDS = sorted({w for gs in RULES.cues.groups.values() for g in gs for w in g}
                    | {w for rx in PATTERNS for w in re.findall(r"[A-Za-z][A-Za-z'-]+", rx.pattern) if len(w) > 2})
FILLER = ["Alibaba", "Tencent", "Beijing", "the", "a", "with", "by", "on", "and", ",", "US$1.2 billion",
          "2023", "in", "of", "its", "Ant Group", "regulators", "said", "would", "was", "had", "been", "."]


def _groups(pattern: str, flags: int = re.IGNORECASE) -> list[set[str]]:
    return [set(g) for g in required_cues(re.compile(pattern, flags))]


def test_cues_are_the_literal_words_every_match_contains():
    assert _groups(r"\b(?:sign(?:s|ed)?|ink(?:s|ed)?)\s+(?:a\s+)?(?:deals?|pacts?)\b") == [
        {"deal", "pact"}, {"sign", "ink"}]
    assert _groups(r"(?<!\bwas\s)fined\b") == [{"fined"}]  # a look-behind is no cue
    assert _groups(r"held\s+talks|met") == [{"talks", "met"}]  # each branch gives its longest word


def test_a_pattern_without_a_certain_literal_word_is_cueless():
    assert _groups(r"\b(?:19|20)\d\d\b") == []  # only short literals
    assert _groups(r"(?:fined|\w+ed)\s+by") == []  # one branch has no literal word
    assert _groups(r"(\w+)\s+\1 again") == [{" again"}]  # the back-reference itself gives nothing
    assert _groups(r"[^x]+ment") == [{"ment"}]
    assert _groups(r"(?:the\s+)?company") == [{"company"}]  # optional text is not required
    # A character outside ASCII is never part of a cue; the text around it still gives cues.
    assert _groups(r"Stra\u00dfe deal") == [{"e deal"}, {"stra"}]


def test_fold_matches_what_a_case_insensitive_regex_matches_and_keeps_offsets():
    letters = re.compile("[a-z]", re.IGNORECASE)
    for code in range(128, sys.maxunicode + 1):
        c = chr(code)
        assert len(fold(c)) == 1
        if letters.fullmatch(c):
            matched = [a for a in "abcdefghijklmnopqrstuvwxyz" if re.fullmatch(a, c, re.IGNORECASE)]
            assert fold(c) in matched, hex(code)


def test_lint_rules_notes_the_cueless_patterns():
    notes = cueless_rules(RULES_DIR)
    assert any("dates.yaml: date.year:" in n for n in notes)
    assert not any("trigger." in n for n in notes)  # every trigger has a cue
    cli = subprocess.run([sys.executable, "-m", "bigtech_events", "lint-rules", "--rules", str(RULES_DIR)],
                         capture_output=True, text=True, check=False, env={**os.environ, "PYTHONPATH": str(REPO / "src")})
    assert cli.returncode == 0 and cli.stdout == f"{RULES_DIR}: no problems\n"  # a note is no problem
    assert [f"note: {n}" for n in notes] == cli.stderr.splitlines()


def _agree(text: str) -> None:
    """Every pattern of the rule set that matches ``text`` is one the keyword pass keeps, and the
    matches of the kept patterns are those of all patterns."""
    hits = RULES.cues.hits(fold(text), 0, len(text))
    for rx in PATTERNS:
        if rx.search(text):
            assert RULES.cues.can_match(rx, hits), (rx.pattern[:80], text)
    doc = SimpleNamespace(cue_index=RULES.cues, cue_hits=sentence_cues(RULES.cues, text, [(0, len(text))]))
    for rules in (RULES.events.triggers, RULES.events.attach, RULES.nominal, RULES.organisations):
        kept = worth_trying(doc, 0, rules, lambda r: r.regex)
        assert [(r, m.span()) for r in kept for m in r.regex.finditer(text)] == [
            (r, m.span()) for r in rules for m in r.regex.finditer(text)]


_case = st.sampled_from([str.lower, str.upper, str.title, lambda w: w])


@st.composite
def _sentences(draw: st.DrawFn) -> str:
    words = draw(st.lists(st.sampled_from(RULE_WORDS + FILLER), min_size=1, max_size=14))
    seps = draw(st.lists(st.sampled_from([" ", " ", "  ", "\n", ", ", "\u00a0"]), min_size=len(words),
                         max_size=len(words)))
    return "".join(draw(_case)(w) + s for w, s in zip(words, seps, strict=True))


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(_sentences())
def test_prefiltered_and_unfiltered_matching_agree_on_sentences_of_rule_words(text: str):
    _agree(text)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(st.data())
def test_prefiltered_and_unfiltered_matching_agree_on_matches_of_each_pattern(data: st.DataObject):
    rx = data.draw(st.sampled_from(PATTERNS))
    text = data.draw(st.from_regex(rx))  # a text holding a match, odd spaces and case included
    _agree(text)
    assert RULES.cues.can_match(rx, RULES.cues.hits(fold(text), 0, len(text)))


def test_a_pattern_the_index_does_not_know_is_always_tried():
    known = re.compile("fined")
    index = CueIndex([known])
    assert not index.can_match(known, 0)  # no cue word in the text: left out
    assert index.can_match(re.compile("fined", re.IGNORECASE), 0)  # a pattern it was not built with


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> list:
    seeds = tmp_path_factory.mktemp("synseeds")
    prepare_seeds(REPO / "tests" / "fixtures" / "synthetic", seeds)
    return [load_article(p) for p in seed_paths(seeds)]


def test_the_build_gives_the_same_rows_without_the_keyword_pass(synthetic: list,
                                                               monkeypatch: pytest.MonkeyPatch):
    with_pass = [Extractor(RULES).extract(a).rows for a in synthetic]
    assert any(s.name == "cues" for s in pipeline.STAGES)
    monkeypatch.setattr(pipeline, "STAGES", tuple(s for s in pipeline.STAGES if s.name != "cues"))
    without = [Extractor(RULES).extract(a).rows for a in synthetic]
    assert with_pass == without
    assert sum(len(r["events"]) for r in without) > 20  # the articles do have events


def test_sentences_are_selected_by_their_own_words():
    rules = RULES
    doc = SimpleNamespace(cue_index=rules.cues, cue_hits=sentence_cues(
        rules.cues, "Regulators fined Alibaba. Tencent met officials.", [(0, 25), (26, 49)]))
    ids = [[t.rule_id for t in worth_trying(doc, i, rules.events.triggers, lambda r: r.regex)] for i in (0, 1)]
    assert "trigger.penalty.fined" in ids[0] and "trigger.penalty.fined" not in ids[1]
    assert "trigger.meeting.met" in ids[1] and "trigger.meeting.met" not in ids[0]
    assert len(ids[0]) < len(rules.events.triggers) / 2

