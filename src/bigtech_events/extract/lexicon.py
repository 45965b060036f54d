"""The cue words, cue patterns and windows of the mention stages, compiled once from ``rules/``.

- ``sentences`` (``boilerplate.yaml: sentences, windows``): the sentence splitter;
- ``actors`` (``disambiguation.yaml: currency_marks, places, windows``, ``organisations.yaml:
  legal_forms, unit_suffixes``, ``names.yaml: hong_kong_given_name``): gazetteer mentions, places,
  company units, legal forms, Hong Kong given names;
- ``titles`` (``titles.yaml``: the post patterns and their lists and windows, ``names.yaml:
  name_word, windows``): posts and the people they introduce.

The date and money grammars read their own keys (``dates.py``, ``money.py``).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from .cuefile import CueFile, Pattern, alternation
from .gazetteer import ACTOR_TYPES


@dataclass(frozen=True)
class SentenceCues:
    end: Pattern
    abbreviation: Pattern
    initial: Pattern
    abbreviations: frozenset[str]
    abbreviation_chars: int
    initial_chars: int


@dataclass(frozen=True)
class ActorCues:
    currency_marks: str
    place_before: Pattern
    officials_before: Pattern
    possessive_after: Pattern
    place_list_joiner: Pattern
    legal_form: Pattern
    company_unit: Pattern | None
    hong_kong_given_name: Pattern
    before_chars: int
    after_chars: int
    place_context_chars: int
    place_preposition_chars: int


@dataclass(frozen=True)
class TitleCues:
    before_name: Pattern
    qualifier_before: Pattern
    org_before_title: Pattern
    reference_possessive: Pattern
    appositive: Pattern
    remains: Pattern
    appointed_verb: Pattern
    appointed: Pattern
    appointed_by: Pattern
    appointed_as: Pattern
    possessive_gap: Pattern
    possessive: Pattern
    possessive_end: Pattern
    second_post: Pattern
    minister_of: Pattern
    ministry: str
    minister_title: str
    vice_minister_title: str
    government_default_titles: frozenset[str]
    government_default_exclude: tuple[str, ...]
    appointing_types: frozenset[str]
    unrecorded_references: frozenset[str]
    org_reference_sentences: int
    government_default_sentences: int
    appositive_mentions: int
    appointed_verb_chars: int
    possessive_end_chars: int
    not_after_name_chars: int


@dataclass(frozen=True)
class Lexicon:
    sentences: SentenceCues
    actors: ActorCues
    titles: TitleCues


SENTENCE_KEYS = ("end", "abbreviation", "initial", "abbreviations")
SENTENCE_WINDOWS = ("abbreviation_chars", "initial_chars")
PLACE_KEYS = ("prepositions", "before", "officials", "officials_before", "possessive_after", "list_joiner")
DISAMBIGUATION_WINDOWS = ("before_chars", "after_chars", "place_context_chars", "place_preposition_chars")
NAME_WINDOWS = ("not_after_name_chars",)
TITLE_PATTERNS = ("before_name", "qualifier_before", "org_before_title", "reference_possessive", "appositive",
                  "remains", "appointed_verb", "appointed", "appointed_by", "appointed_as", "possessive_gap",
                  "possessive", "possessive_end", "second_post")
MINISTER_KEYS = ("pattern", "ministry", "title", "vice_title")
TITLE_WINDOWS = ("org_reference_sentences", "government_default_sentences", "appositive_mentions",
                 "appointed_verb_chars", "possessive_end_chars")


def load_lexicon(rules_dir: Path) -> Lexicon:
    names = CueFile(rules_dir / "names.yaml")
    return Lexicon(sentences=_sentences(CueFile(rules_dir / "boilerplate.yaml")),
                   actors=_actors(CueFile(rules_dir / "disambiguation.yaml"),
                                  CueFile(rules_dir / "organisations.yaml"), names),
                   titles=_titles(CueFile(rules_dir / "titles.yaml"), names))


def _sentences(f: CueFile) -> SentenceCues:
    f.section("sentences", known=SENTENCE_KEYS)
    f.section("windows", known=SENTENCE_WINDOWS)
    return SentenceCues(
        end=f.pattern("sentences", "end"),
        abbreviation=f.pattern("sentences", "abbreviation"),
        initial=f.pattern("sentences", "initial"),
        abbreviations=frozenset(f.words("sentences", "abbreviations")),
        abbreviation_chars=f.number("windows", "abbreviation_chars"),
        initial_chars=f.number("windows", "initial_chars"))


def _actors(dis: CueFile, orgs: CueFile, names: CueFile) -> ActorCues:
    dis.section("places", known=PLACE_KEYS)
    dis.section("windows", known=DISAMBIGUATION_WINDOWS)
    marks = dis.words("currency_marks")
    if any(len(c) != 1 for c in marks):
        raise dis.error("currency_marks", what="must list single characters; fix it")
    words = {"prepositions": alternation(dis.words("places", "prepositions")),
             "officials": alternation(dis.words("places", "officials"))}
    units = orgs.data.get("unit_suffixes") or []
    return ActorCues(
        currency_marks="".join(marks),
        place_before=dis.pattern("places", "before", values=words),
        officials_before=dis.pattern("places", "officials_before", values=words),
        possessive_after=dis.pattern("places", "possessive_after"),
        place_list_joiner=dis.pattern("places", "list_joiner"),
        legal_form=orgs.compile(rf"(?:\s+{alternation(orgs.words('legal_forms'))})+", {}, "legal_forms"),
        company_unit=(orgs.compile(rf"\s({alternation(orgs.words('unit_suffixes'))})(?![\w’'-])", {},
                                   "unit_suffixes") if units else None),
        hong_kong_given_name=names.pattern("hong_kong_given_name"),
        **{k: dis.number("windows", k) for k in DISAMBIGUATION_WINDOWS})


def _titles(f: CueFile, names: CueFile) -> TitleCues:
    f.section("patterns", known=TITLE_PATTERNS)
    f.section("minister_of", known=MINISTER_KEYS)
    f.section("windows", known=TITLE_WINDOWS)
    names.section("windows", known=NAME_WINDOWS)
    entries = f.get("titles")
    entries = [t for t in entries if isinstance(t, dict)] if isinstance(entries, list) else []
    # One title form, longest first; atomic: "chief executive" never falls back to "chief".
    title = alternation([str(form) for t in entries for form in t.get("forms") or []], atomic=True)
    values = {"title": title,
              "titles": f"{title}(?:{f.text('title_joiner')}{title})*",
              "qualifier": alternation(f.words("qualifiers")),
              "name_word": f"(?:{names.text('name_word')})"}
    ministry = f.text("minister_of", "ministry")
    if "{name}" not in ministry:
        raise f.error("minister_of", "ministry", what="must contain {name}; write it as 'Ministry of {name}'")
    return TitleCues(
        **{k: f.pattern("patterns", k, values=values) for k in TITLE_PATTERNS},
        minister_of=f.pattern("minister_of", "pattern"),
        ministry=ministry,
        minister_title=f.text("minister_of", "title"),
        vice_minister_title=f.text("minister_of", "vice_title"),
        government_default_titles=frozenset(_one_of(f, "government_default_titles",
                                                    {str(t.get("title")) for t in entries},
                                                    "the `title` of an entry of titles")),
        government_default_exclude=f.words("government_default_exclude"),
        appointing_types=frozenset(_one_of(f, "appointing_types", ACTOR_TYPES,
                                           f"one of {', '.join(ACTOR_TYPES)}")),
        unrecorded_references=frozenset(f.words("unrecorded_references")),
        **{k: f.number("windows", k) for k in TITLE_WINDOWS},
        not_after_name_chars=names.number("windows", "not_after_name_chars"))


def _one_of(f: CueFile, key: str, allowed: Collection[str], what: str) -> tuple[str, ...]:
    words = f.words(key)
    for w in words:
        if w not in allowed:
            raise f.error(key, what=f"has {w!r}, which is not {what}; fix it")
    return words
