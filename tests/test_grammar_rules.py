"""rules/grammar.yaml and rules/settings.yaml: they load, they are read, and a curator's mistake in
them is one line naming the file, the line and the fix."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
from helpers import RULES_DIR, edit_once

from bigtech_events.errors import UserError
from bigtech_events.extract import Extractor
from bigtech_events.extract.grammar import GRAMMAR_KEYS, Grammar, Settings
from bigtech_events.lint import lint_rules
from bigtech_events.ruleset import load_rules
from bigtech_events.seeds import Article

DATE_WORDS = ["Monday", "May", "Sept"]


def _article(text: str, title: str = "Headline for the test") -> Article:
    return Article("grammar-test", text, hashlib.sha256(text.encode()).hexdigest(),
                   {"title": title, "publisher": "p", "published": "2024-03-15", "language": "en"},
                   Path("x.txt"))


def _events(rules_dir: Path, text: str, title: str = "Headline for the test") -> list[str]:
    rows = Extractor(load_rules(rules_dir)).extract(_article(text, title)).rows
    return sorted(e["event_type"] for e in rows["events"])




def test_the_shipped_grammar_and_settings_load():
    g = load_rules(RULES_DIR).grammar
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
    edit_once(rules_copy / "grammar.yaml", "not_happened_words: [not, ", "not_happened_words: [")
    assert _events(rules_copy, text) == ["penalty"]


def test_the_headline_length_limit_is_read_from_settings(rules_copy: Path):
    text = "Tencent signed an agreement with Meituan on Monday\n\nNothing else happened."
    assert _events(RULES_DIR, text, title="Another title") == []  # a short line with no stop: the headline
    edit_once(rules_copy / "settings.yaml", "headline_max_chars: 200", "headline_max_chars: 10")
    assert _events(rules_copy, text, title="Another title") == ["agreement"]


def _error(rules_dir: Path) -> str:
    """The first problem the loader reports for a rules directory (one line)."""
    with pytest.raises(UserError) as info:
        load_rules(rules_dir)
    problems = getattr(info.value, "problems", [str(info.value)])
    assert all("\n" not in p for p in problems)
    return "\n".join(problems)


@pytest.mark.parametrize(("file", "old", "new", "expected"), [
    ("grammar.yaml", "  each: '\\beach\\b'\n", "", r"grammar\.yaml:\d+: missing key 'each' in events; add it"),
    ("grammar.yaml", "  each: '\\beach\\b'", "  eahc: '\\beach\\b'",
     r"grammar\.yaml:\d+: unknown key 'eahc' in events; did you mean 'each'\?"),
    ("grammar.yaml", "purpose_types: [investment]", "purpose_types: investment",
     r"grammar\.yaml:\d+: modality\.purpose_types is text \('investment'\), not a list; write a list"),
    ("grammar.yaml", "object_pronoun_types: [company,", "object_pronoun_types: [compnay,",
     (r"grammar\.yaml:\d+: unknown actor type 'compnay' in participants\.object_pronoun_types\[1\]; "
     r"did you mean 'company'\?")),
    ("grammar.yaml", "  each: '\\beach\\b'", "  each: '(\\beach\\b'",
     r"grammar\.yaml:\d+: each does not compile \(missing \), unterminated subpattern.*\); fix it"),
    ("grammar.yaml", "{event_nouns}", "{event_noun}",
     r"grammar\.yaml:\d+: definite uses \{event_noun\}, which is no word list of grammar\.yaml"),
    ("grammar.yaml", "counted_numbers: {two: 2,", "counted_numbers: {two: many,",
     r"participants\.counted_numbers\.two is text \('many'\), not a whole number; write a whole number"),
    ("settings.yaml", "anaphora_chars: 4", "anaphora_chars: -4",
     r"settings\.yaml:\d+: value -4 in anaphora_chars is out of range \(-4 is less than the minimum of 0\)"),
    ("settings.yaml", "anaphora_chars: 4", "anaphora_char: 4",
     r"settings\.yaml:\d+: unknown key 'anaphora_char' in the file; did you mean 'anaphora_chars'\?"),
    ("settings.yaml", "anaphora_sentences: 3\n", "",
     r"settings\.yaml:\d+: missing key 'anaphora_sentences' in the file; add it"),
])
def test_a_mistake_in_the_grammar_or_settings_is_one_line_with_its_place(rules_copy, file, old, new,
                                                                         expected):
    edit_once(rules_copy / file, old, new)
    assert re.search(expected, _error(rules_copy))


def test_the_line_of_a_misspelt_key_is_reported_by_the_loader_and_by_lint(rules_copy: Path):
    path = rules_copy / "grammar.yaml"
    edit_once(path, "  each: '\\beach\\b'", "  eahc: '\\beach\\b'")
    lines = path.read_text(encoding="utf-8").splitlines()
    line = next(i for i, text in enumerate(lines, 1) if "eahc:" in text)
    message = f"grammar.yaml:{line}: unknown key 'eahc' in events; did you mean 'each'?"
    assert message in _error(rules_copy)
    assert next(p for p in lint_rules(rules_copy) if "eahc" in p).endswith(message)


def test_a_missing_grammar_file_is_named(rules_copy: Path):
    (rules_copy / "settings.yaml").unlink()
    assert "settings.yaml:1: rule file is missing" in _error(rules_copy)


def test_the_schemas_of_grammar_and_settings_declare_exactly_the_keys_the_code_reads():
    import json
    from importlib import resources

    folder = resources.files("bigtech_events.ruleset").joinpath("schemas")
    grammar = json.loads(folder.joinpath("grammar.schema.json").read_text(encoding="utf-8"))
    declared = {sec: set(body["properties"]) for sec, body in grammar["properties"].items()}
    assert declared == {sec: set(keys) for sec, keys in GRAMMAR_KEYS.items()}
    settings = json.loads(folder.joinpath("settings.schema.json").read_text(encoding="utf-8"))
    assert set(settings["properties"]) == set(Settings.__dataclass_fields__)
