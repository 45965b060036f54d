"""The cue words, cue patterns and windows of the mention stages, compiled once from ``rules/``.

- ``sentences`` (``boilerplate.yaml: sentences, windows``): the sentence splitter;
- ``actors`` (``disambiguation.yaml: currency_marks, places, windows``, ``organisations.yaml:
  legal_forms, unit_suffixes``, ``names.yaml: hong_kong_given_name``): gazetteer mentions, places,
  company units, legal forms, Hong Kong given names;
- ``titles`` (``titles.yaml``: the post patterns and their lists and windows, ``names.yaml:
  name_word, windows``): posts and the people they introduce.

The date and money grammars read their own keys (``dates.py``, ``money.py``). The files are read,
and checked by their schemas, in :mod:`bigtech_events.ruleset`; this module compiles their data.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from re import _constants as C  # the stdlib regex parser, as prefilter.py uses it
from re import _parser as P

from .cuefile import CueFile, Pattern, alternation


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
    name_list_joiner: Pattern
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
    # Finds any title form; None unless every match of `before_name` holds one (its group
    # `titles` is `{titles}` and not optional): a sentence where it finds none has no match.
    title_anywhere: Pattern | None = None


@dataclass(frozen=True)
class Lexicon:
    sentences: SentenceCues
    actors: ActorCues
    titles: TitleCues


DISAMBIGUATION_WINDOWS = ("before_chars", "after_chars", "place_context_chars", "place_preposition_chars")
TITLE_PATTERNS = ("before_name", "qualifier_before", "org_before_title", "reference_possessive", "appositive",
                  "remains", "appointed_verb", "appointed", "appointed_by", "appointed_as", "possessive_gap",
                  "possessive", "possessive_end", "second_post")
TITLE_WINDOWS = ("org_reference_sentences", "government_default_sentences", "appositive_mentions",
                 "appointed_verb_chars", "possessive_end_chars")


def load_lexicon(boilerplate: CueFile, disambiguation: CueFile, organisations: CueFile, names: CueFile,
                 titles: CueFile) -> Lexicon:
    """The cues of the parsed, schema-checked rules files named by the arguments."""
    return Lexicon(sentences=_sentences(boilerplate),
                   actors=_actors(disambiguation, organisations, names),
                   titles=_titles(titles, names))


def _sentences(f: CueFile) -> SentenceCues:
    return SentenceCues(
        end=f.pattern("sentences", "end"),
        abbreviation=f.pattern("sentences", "abbreviation"),
        initial=f.pattern("sentences", "initial"),
        abbreviations=frozenset(f.words("sentences", "abbreviations")),
        abbreviation_chars=f.number("windows", "abbreviation_chars"),
        initial_chars=f.number("windows", "initial_chars"))


def _actors(dis: CueFile, orgs: CueFile, names: CueFile) -> ActorCues:
    marks = dis.words("currency_marks")  # single characters: the schema checks them
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
    entries = f.get("titles")
    entries = [t for t in entries if isinstance(t, dict)] if isinstance(entries, list) else []
    # One title form, longest first; atomic: "chief executive" never falls back to "chief".
    title = alternation([str(form) for t in entries for form in t.get("forms") or []], atomic=True)
    forms = [str(form) for t in entries for form in t.get("forms") or []]
    values = {"title": title,
              "titles": f"{title}(?:{f.text('title_joiner')}{title})*",
              "qualifier": alternation(f.words("qualifiers")),
              "name_word": f"(?:{names.text('name_word')})"}
    patterns = {k: f.pattern("patterns", k, values=values) for k in TITLE_PATTERNS}
    holds_title = ("(?P<titles>{titles})" in f.text("patterns", "before_name")
                   and _mandatory_group(patterns["before_name"], "titles"))
    return TitleCues(
        **patterns,
        minister_of=f.pattern("minister_of", "pattern"),
        name_list_joiner=f.pattern("name_list_joiner"),
        ministry=f.text("minister_of", "ministry"),  # the schema checks it names {name}
        minister_title=f.text("minister_of", "title"),
        vice_minister_title=f.text("minister_of", "vice_title"),
        government_default_titles=frozenset(_one_of(f, "government_default_titles",
                                                    {str(t.get("title")) for t in entries},
                                                    "the `title` of an entry of titles")),
        government_default_exclude=f.words("government_default_exclude"),
        appointing_types=frozenset(f.words("appointing_types")),  # actor types: the schema checks them
        unrecorded_references=frozenset(f.words("unrecorded_references")),
        **{k: f.number("windows", k) for k in TITLE_WINDOWS},
        not_after_name_chars=names.number("windows", "not_after_name_chars"),
        title_anywhere=re.compile(_trie(forms)) if holds_title and forms else None)


def _mandatory_group(rx: Pattern, name: str) -> bool:
    """Whether the group ``name`` of ``rx`` takes part in every match: it is one of the items of the
    pattern's top-level sequence (not inside an alternative, a repeat or a conditional)."""
    number = rx.groupindex.get(name)
    try:
        items = list(P.parse(rx.pattern, rx.flags))
    except (re.error, RecursionError, ValueError, TypeError):
        return False
    return any(op == C.SUBPATTERN and av[0] == number for op, av in items)


def _trie(words: Iterable[str]) -> str:
    """A regular expression that matches exactly the ``words``, written as a tree of their common
    beginnings ("chair(?:man|woman)?"): a search for any of many words tries a few characters
    at each position instead of every word."""
    tree: dict[str, dict] = {}
    for w in words:
        node = tree
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def branch(node: dict[str, dict]) -> str:
        alts = [re.escape(ch) + branch(sub) for ch, sub in node.items() if ch]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else f"(?:{'|'.join(alts)})"
        return f"(?:{body})?" if "" in node else body

    return branch(tree)


def _one_of(f: CueFile, key: str, allowed: Collection[str], what: str) -> tuple[str, ...]:
    words = f.words(key)
    for w in words:
        if w not in allowed:
            raise f.error(key, what=f"has {w!r}, which is not {what}; fix it")
    return words
