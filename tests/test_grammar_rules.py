"""rules/grammar.yaml and rules/settings.yaml: they load, they are read, and a curator's mistake in
them is one line naming the file, the line and the fix."""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

import pytest

from bigtech_events.errors import UserError
from bigtech_events.extract import Extractor
from bigtech_events.extract.grammar import GRAMMAR_KEYS, Grammar, Settings, load_grammar
from bigtech_events.lint import lint_rules
from bigtech_events.paths import RULES_DIR
from bigtech_events.seeds import Article

DATE_WORDS = ["Monday", "May", "Sept"]


def _article(text: str, title: str = "Headline for the test") -> Article:
    return Article("grammar-test", text, hashlib.sha256(text.encode()).hexdigest(),
                   {"title": title, "publisher": "p", "published": "2024-03-15", "language": "en"},
                   Path("x.txt"))


def _events(rules_dir: Path, text: str, title: str = "Headline for the test") -> list[str]:
    rows = Extractor.from_dir(rules_dir).extract(_article(text, title)).rows
    return sorted(e["event_type"] for e in rows["events"])


@pytest.fixture()
def rules_copy(tmp_path: Path) -> Path:
    dest = tmp_path / "rules"
    shutil.copytree(RULES_DIR, dest)
    return dest


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_the_shipped_grammar_and_settings_load():
    g = load_grammar(RULES_DIR, DATE_WORDS)
    assert isinstance(g, Grammar) and isinstance(g.settings, Settings)
    assert g.settings.headline_max_chars == 200
    assert g.pronouns["It"] == g.pronouns["it"] and "person" in g.pronouns["He"]
    assert g.counted_numbers["three"] == 3 and g.counted_kinds["regulators"] == "agency"
    # A word list named in braces became an alternation: "plans to" matches across any spaces.
    assert g.planned_before.search("Tencent plans  to ")
    assert g.not_happened.search("The regulator did not ")
    # {date_words} comes from dates.yaml: "after May" starts no clause, "after Tencent" does.
    assert not g.clause_break.search("fined after May 3") and g.clause_break.search("fined after Tencent")


def test_every_key_of_the_grammar_is_documented():
    guide = (RULES_DIR.parent / "docs" / "rules.md").read_text(encoding="utf-8")
    keys = [k for section in GRAMMAR_KEYS.values() for k in section] + [
        f.name for f in Settings.__dataclass_fields__.values()]
    assert [k for k in keys if f"`{k}`" not in guide] == []


def test_removing_a_negation_word_makes_the_negated_event_appear(rules_copy: Path):
    text = "Headline for the test\n\nThe regulator did not fine Meituan last year."
    assert _events(RULES_DIR, text) == []
    _edit(rules_copy / "grammar.yaml", "not_happened_words: [not, ", "not_happened_words: [")
    assert _events(rules_copy, text) == ["penalty"]


def test_the_headline_length_limit_is_read_from_settings(rules_copy: Path):
    text = "Tencent signed an agreement with Meituan on Monday\n\nNothing else happened."
    assert _events(RULES_DIR, text, title="Another title") == []  # a short line with no stop: the headline
    _edit(rules_copy / "settings.yaml", "headline_max_chars: 200", "headline_max_chars: 10")
    assert _events(rules_copy, text, title="Another title") == ["agreement"]


def _error(rules_dir: Path) -> str:
    with pytest.raises(UserError) as info:
        load_grammar(rules_dir, DATE_WORDS)
    message = str(info.value)
    assert "\n" not in message
    return message


@pytest.mark.parametrize(("file", "old", "new", "expected"), [
    ("grammar.yaml", "  each: '\\beach\\b'\n", "", r"grammar\.yaml:\d+: events\.each is missing; add it"),
    ("grammar.yaml", "  each: '\\beach\\b'", "  eahc: '\\beach\\b'",
     r"grammar\.yaml:\d+: unknown key events\.eahc; fix its spelling"),
    ("grammar.yaml", "purpose_types: [investment]", "purpose_types: investment",
     r"grammar\.yaml:\d+: purpose_types must be a word list; write it as \[word, word, \.\.\.\]"),
    ("grammar.yaml", "by, \"on\", to, into", "by, on, to, into",
     r"grammar\.yaml:\d+: prepositions must be a word list; True is not a word; quote it"),
    ("grammar.yaml", "object_pronoun_types: [company,", "object_pronoun_types: [compnay,",
     r"grammar\.yaml:\d+: object_pronoun_types must be a list of actor types; 'compnay' is not one of"),
    ("grammar.yaml", "  each: '\\beach\\b'", "  each: '(\\beach\\b'",
     r"grammar\.yaml:\d+: each does not compile \(missing \), unterminated subpattern.*\); fix it"),
    ("grammar.yaml", "{event_nouns}", "{event_noun}",
     r"grammar\.yaml:\d+: definite uses \{event_noun\}, which is no word list of grammar\.yaml"),
    ("grammar.yaml", "counted_numbers: {two: 2,", "counted_numbers: {two: many,",
     r"counted_numbers must be a mapping of words to whole numbers; two: 'many'"),
    ("settings.yaml", "anaphora_chars: 4", "anaphora_chars: -4",
     r"settings\.yaml:\d+: anaphora_chars must be a whole number of 0 or more, not -4; fix it"),
    ("settings.yaml", "anaphora_chars: 4", "anaphora_char: 4",
     r"settings\.yaml:\d+: unknown setting 'anaphora_char'; fix its spelling"),
    ("settings.yaml", "anaphora_sentences: 3\n", "",
     r"settings\.yaml:1: setting 'anaphora_sentences' is missing; add it"),
])
def test_a_mistake_in_the_grammar_or_settings_is_one_line_with_its_place(rules_copy, file, old, new,
                                                                         expected):
    _edit(rules_copy / file, old, new)
    assert re.search(expected, _error(rules_copy))


def test_the_line_of_a_misspelt_key_is_reported_by_the_loader_and_by_lint(rules_copy: Path):
    path = rules_copy / "grammar.yaml"
    _edit(path, "  each: '\\beach\\b'", "  eahc: '\\beach\\b'")
    lines = path.read_text(encoding="utf-8").splitlines()
    line = next(i for i, text in enumerate(lines, 1) if "eahc:" in text)
    assert f"grammar.yaml:{line}: unknown key events.eahc" in _error(rules_copy)
    assert [p for p in lint_rules(rules_copy) if "eahc" in p] == [_error(rules_copy)]


def test_a_missing_grammar_file_is_named(rules_copy: Path):
    (rules_copy / "settings.yaml").unlink()
    assert "settings.yaml: rule file is missing" in _error(rules_copy)
