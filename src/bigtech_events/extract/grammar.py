r"""The clause, participant and modality cues (rules/grammar.yaml) and the windows
(rules/settings.yaml), checked and compiled into one frozen :class:`Grammar`.

A pattern may name a word list of the same file in braces (``{speech_verbs}``): the list
becomes an alternation of its escaped words, longest first, a space matching any white space
(:func:`.cuefile.alternation` with ``any_space``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from ..contract.vocab import vocabulary
from ..errors import UserError
from .cuefile import CueFile, alternation, fill

Pattern = re.Pattern[str]

# The keys of grammar.yaml by section, and the kind of value each holds.
PATTERN, WORDS, TYPES, NUMBERS, TYPE_MAP, TYPES_MAP, TEXT_MAP = (
    "pattern", "word list", "list of actor types", "mapping of words to whole numbers",
    "mapping of words to an actor type", "mapping of words to lists of actor types",
    "mapping of text to text")
GRAMMAR_KEYS: dict[str, dict[str, str]] = {
    "clauses": {
        "clause_break": PATTERN, "comma_clause_words": WORDS, "speech_verbs": WORDS,
        "participle_openers": WORDS, "subordinators": WORDS, "purpose_verbs": WORDS,
        "parenthetical": PATTERN, "aside_openers": WORDS, "descriptive_aside": PATTERN,
        "acronym": PATTERN, "acronym_open": PATTERN, "coordination": PATTERN},
    "participants": {
        "object_gap": PATTERN, "gap_people": WORDS, "gap_things": WORDS, "gap_groups": WORDS, "counted_including": PATTERN,
        "counted_subject": PATTERN, "members_after": PATTERN, "classifier_nouns": WORDS, "compound_modifier": PATTERN,
        "attributive_before": PATTERN, "attributive_after": PATTERN, "attributive_not_nouns": WORDS,
        "attributive_unless": PATTERN, "relative_who": PATTERN, "pronouns": TYPES_MAP,
        "event_anaphora": PATTERN, "acted_on": WORDS, "counted": PATTERN, "counted_numbers": NUMBERS,
        "counted_kinds": TYPE_MAP, "including": PATTERN, "example_list": PATTERN, "deal_of": PATTERN, "object_tail": PATTERN,
        "object_pronoun": PATTERN, "object_pronoun_types": TYPES, "prepositions": WORDS},
    "modality": {
        "not_happened": PATTERN, "not_happened_words": WORDS, "not_happened_fillers": WORDS,
        "denial_words": WORDS, "planned_before": PATTERN, "planned_words": WORDS,
        "passive_before": PATTERN, "passive_words": WORDS, "ing_form": PATTERN,
        "purpose_before": PATTERN, "purpose_types": WORDS},
    "events": {
        "aux_only": PATTERN, "symmetric_prepositions": WORDS, "each": PATTERN,
        "participle_comma": PATTERN, "opening_place_after": PATTERN, "along_with": PATTERN,
        "definite": PATTERN, "event_nouns": WORDS, "speaker": PATTERN, "speaker_types": WORDS,
        "shared_subject_before": PATTERN, "the_post": PATTERN, "one_per_person": WORDS},
    "dates": {
        "continues": PATTERN, "other_act": PATTERN, "when_clause": PATTERN, "dateline_before": PATTERN, "dateline_after": PATTERN,
        "attribution": PATTERN},
    "references": {
        "bare_article": PATTERN, "apposition_gap": PATTERN, "possessive_after": PATTERN,
        "surname_word": PATTERN, "name_word_before": PATTERN, "name_word_after": PATTERN,
        "executive_org_types": TYPES, "dateline": PATTERN},
    "relations": {
        "possessive_modifier": PATTERN, "possessive_relation": PATTERN,
        "possessive_relations": WORDS},
    "posts": {"past_qualifiers": WORDS},
    "headline": {"final_stops": WORDS, "quote_folding": TEXT_MAP},
}
# Supplied by dates.yaml, not written in grammar.yaml.
DATE_WORDS = "date_words"


@dataclass(frozen=True)
class Settings:
    """rules/settings.yaml: windows and limits (rules/settings.yaml says what each bounds)."""

    headline_max_chars: int
    attributive_before_chars: int
    attributive_after_chars: int
    relative_who_chars: int
    relative_who_head_chars: int
    counted_reference_sentences: int
    pronoun_sentences: int
    deal_gap_chars: int
    preposition_gap_words: int
    sentence_opening_chars: int
    participle_comma_chars: int
    anaphora_chars: int
    anaphora_sentences: int
    attach_sentences: int
    context_date_sentences: int
    affiliation_date_sentences: int
    surname_context_chars: int
    relation_after_chars: int


@dataclass(frozen=True)
class Grammar:
    """The compiled cues the stages use (rules/grammar.yaml says what each one does)."""

    settings: Settings
    # clauses
    clause_break: Pattern
    parenthetical: Pattern
    descriptive_aside: Pattern
    acronym: Pattern
    acronym_open: Pattern
    coordination: Pattern
    # participants
    object_gap: Pattern
    counted_including: Pattern
    counted_subject: Pattern
    members_after: Pattern
    classifier_nouns: tuple[str, ...]
    compound_modifier: Pattern
    attributive_before: Pattern
    attributive_after: Pattern
    attributive_unless: Pattern
    relative_who: Pattern
    relative_who_end: Pattern  # relative_who at the end of the text searched
    pronoun: Pattern  # the pronouns and their capitalised forms, as group 1
    pronouns: dict[str, tuple[str, ...]]  # each form (as written and capitalised) -> actor types
    event_anaphora: Pattern
    counted: Pattern
    counted_numbers: dict[str, int]
    counted_kinds: dict[str, str]
    including: Pattern
    example_list: Pattern
    deal_of: Pattern
    object_tail: Pattern
    object_pronoun: Pattern
    object_pronoun_types: tuple[str, ...]
    prepositions: tuple[str, ...]
    # modality
    not_happened: Pattern
    planned_before: Pattern
    passive_before: Pattern
    ing_form: Pattern
    purpose_before: Pattern
    purpose_types: tuple[str, ...]
    # events
    aux_only: Pattern
    symmetric_prepositions: tuple[str, ...]
    each: Pattern
    participle_comma: Pattern
    opening_place_after: Pattern
    along_with: Pattern
    definite: Pattern
    speaker: Pattern
    speaker_types: tuple[str, ...]
    shared_subject_before: Pattern
    the_post: Pattern
    one_per_person: tuple[str, ...]
    # dates
    continues: Pattern
    other_act: Pattern
    when_clause: Pattern
    dateline_before: Pattern
    dateline_after: Pattern
    attribution: Pattern
    # references
    bare_article: Pattern
    apposition_gap: Pattern
    possessive_after: Pattern
    surname_word: Pattern
    name_word_before: Pattern
    name_word_after: Pattern
    executive_org_types: tuple[str, ...]
    dateline: Pattern
    # relations
    possessive_modifier: Pattern
    possessive_relation: Pattern
    possessive_relations: tuple[str, ...]
    # posts and headline
    past_qualifiers: tuple[str, ...]
    final_stops: tuple[str, ...]
    quote_folding: dict[str, str]


def load_grammar(path: Path, data: Any, settings_path: Path, settings: Any, date_words: list[str]) -> Grammar:
    """Compile grammar.yaml's ``data`` and settings.yaml's ``settings`` (both already read and
    checked by their schemas); ``date_words`` fills {date_words}."""
    f = CueFile(path, data)
    raw = _flatten(f)
    lists = {DATE_WORDS: list(date_words)}
    for name, kind in _kinds().items():
        if kind != PATTERN:
            raw[name] = _checked(f, name, kind, raw[name])
            lists[name] = list(raw[name])
    values: dict[str, Any] = {name: _compile(f, name, raw[name], lists) if kind == PATTERN else raw[name]
                              for name, kind in _kinds().items()}
    who = _source(f, "relative_who", raw["relative_who"], lists)
    values["relative_who_end"] = _regex(f, "relative_who", f"(?:{who})$")
    values["pronouns"] = {form: types for w, types in raw["pronouns"].items()
                          for form in (w, w[:1].upper() + w[1:])}
    forms = alternation(values["pronouns"], any_space=True)
    values["pronoun"] = _regex(f, "pronouns", rf"(?<![\w’'])({forms})(?![\w’'])")
    values["settings"] = load_settings(settings)
    return Grammar(**{f.name: values[f.name] for f in fields(Grammar)})


def load_settings(data: Any) -> Settings:
    """settings.yaml's data, already checked by its schema (every setting present, a whole number)."""
    return Settings(**{field.name: int(data[field.name]) for field in fields(Settings)})


def _actor_types() -> tuple[str, ...]:
    return vocabulary("actor_type")


def _kinds() -> dict[str, str]:
    return {k: kind for section in GRAMMAR_KEYS.values() for k, kind in section.items()}


def _flatten(f: CueFile) -> dict[str, Any]:
    """The keys of every section in one mapping (the schema has checked that each is there)."""
    return {key: f.data[section][key] for section, keys in GRAMMAR_KEYS.items() for key in keys}


def _checked(f: CueFile, name: str, kind: str, value: Any) -> Any:
    """A word list or mapping of the expected kind, or a one-line error."""
    def fail(what: str) -> UserError:
        return UserError(f"{f.path}:{_line(f, name)}: {name} must be a {kind}; {what}")

    quote = "quote it (YAML reads on, off, yes and no as true or false)"
    if kind in (WORDS, TYPES):
        if not isinstance(value, list):
            raise fail("write it as [word, word, ...]")
        for w in value:
            if not isinstance(w, str) or not w.strip():
                raise fail(f"{w!r} is not a word; {quote}")
            if kind == TYPES and w not in _actor_types():
                raise fail(f"{w!r} is not one of {', '.join(_actor_types())}")
        return tuple(value)
    if not isinstance(value, dict):
        raise fail("write it as {word: value, ...}")
    for k, v in value.items():
        if not isinstance(k, str) or not k:
            raise fail(f"{k!r} is not a word; {quote}")
        if kind == NUMBERS and (isinstance(v, bool) or not isinstance(v, int) or v < 1):
            raise fail(f"{k}: {v!r} is not a whole number of 1 or more")
        if kind == TYPE_MAP and v not in _actor_types():
            raise fail(f"{k}: {v!r} is not one of {', '.join(_actor_types())}")
        if kind == TYPES_MAP and (not isinstance(v, list) or not v or any(t not in _actor_types() for t in v)):
            raise fail(f"{k}: {v!r} is not a list of actor types ({', '.join(_actor_types())})")
        if kind == TEXT_MAP and not isinstance(v, str):
            raise fail(f"{k}: {v!r} is not text; quote it")
    if kind == TYPES_MAP:
        return {k: tuple(v) for k, v in value.items()}
    return dict(value)


def _source(f: CueFile, name: str, value: Any, lists: dict[str, list[str]]) -> str:
    """The regular expression of a pattern: a string, or a list of alternatives joined in order,
    with each {list} replaced by the alternation of its words."""
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        text = "|".join(value)
    elif isinstance(value, str) and value:
        text = value
    else:
        raise UserError(f"{f.path}:{_line(f, name)}: {name} must be a pattern (a quoted regular "
                        "expression) or a list of them; fix it")

    def unknown(list_name: str) -> UserError:
        return UserError(f"{f.path}:{_line(f, name)}: {name} uses {{{list_name}}}, which is no word "
                         "list of grammar.yaml; fix the name or add the list")

    for list_name, words in lists.items():
        if not words and f"{{{list_name}}}" in text:
            raise UserError(f"{f.path}:{_line(f, name)}: {name} uses {{{list_name}}}, which is empty; "
                            "add a word to it")
    values = {k: alternation(words, any_space=True) for k, words in lists.items() if words}
    return fill(text, values, str(f.path), unknown)


def _compile(f: CueFile, name: str, value: Any, lists: dict[str, list[str]]) -> Pattern:
    return _regex(f, name, _source(f, name, value, lists))


def _regex(f: CueFile, name: str, source: str) -> Pattern:
    try:
        return re.compile(source)
    except re.error as exc:
        raise UserError(f"{f.path}:{_line(f, name)}: {name} does not compile ({exc.msg}); fix it") from None


def _line(f: CueFile, name: str) -> int:
    """The line of a section, of "section.key", or of a key of any section (1 when not found)."""
    section, _, key = name.rpartition(".")
    if not section:
        section = next((s for s, keys in GRAMMAR_KEYS.items() if key in keys), "")
    return f.line(section, key) if section else f.line(key)
