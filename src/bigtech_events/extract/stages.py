"""The extraction stages, in the order they run: the one place that says what runs when.

Each stage is one entry point ``run(doc, rules)`` over the article's working state (``model.Doc``),
declaring the parts of the rule set it reads and what it adds to the document, in the manner of
a pipeline component. ``pipeline.Extractor`` runs ``STAGES`` in order for every article; ``build``
and ``explain`` both go through it. The mechanism of each stage lives in its topic module
(``actors``, ``titles``, ``relations``, ``coref``, ``events``, ``acts``); the words it looks for
live in ``rules/``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .actors import company_units, extend_given_names, gazetteer_mentions, pattern_organisations
from .acts import merge_acts
from .coref import (
    descriptor_references,
    executive_references,
    nominal_references,
    surname_references,
)
from .events import find_events
from .headline import dateline_mentions, headlines
from .ingest import find_body
from .model import Doc
from .prefilter import sentence_cues
from .references import resolve_references, used_reference_mentions
from .relations import curated_possessives, find_relations, possessive_modifiers
from .titles import appositive_titles, find_titles, minister_of, name_shape_persons

if TYPE_CHECKING:
    from ..ruleset import RuleSet


@dataclass(frozen=True)
class Stage:
    name: str
    reads: tuple[str, ...]  # fields of the RuleSet
    adds: tuple[str, ...]  # what it adds to the Doc
    run: Callable[[Doc, RuleSet], None]


def _body(doc: Doc, r: RuleSet) -> None:
    doc.body = find_body(doc.text, r.boilerplate, r.lexicon.sentences)
    doc.sentences = doc.body.sentences
    doc.headline = headlines(doc.sentences, doc.title, r.grammar, doc.text)


def _name_shapes(doc: Doc, r: RuleSet) -> None:
    if r.titles.name_shape is not None and r.titles.not_after_name is not None:
        name_shape_persons(doc, r.titles, r.gazetteer, r.titles.name_shape, r.titles.not_after_name,
                           r.lexicon.titles)


def _events(doc: Doc, r: RuleSet) -> None:
    names = {k: v["name"] for k, v in doc.actors.items()}
    doc.events = find_events(doc, r.events, r.grammar, doc.curated_dates, names)


def _acts(doc: Doc, r: RuleSet) -> None:
    doc.events = merge_acts(doc.events)


# The phase of the build each stage's time counts for when timing is on (bigtech_events.timing);
# the others count for "matching".
PHASES = {"body": "ingest", "events": "events", "acts": "events"}

def _cues(doc: Doc, r: RuleSet) -> None:
    doc.cue_index = r.cues
    doc.cue_hits = sentence_cues(r.cues, doc.text, ((s.start, s.end) for s in doc.sentences))


STAGES: tuple[Stage, ...] = (
    Stage("body", ("boilerplate", "lexicon", "grammar"), ("body", "sentences", "headline"), _body),
    # One keyword pass over each sentence: the rules that can match it (extract/prefilter.py).
    Stage("cues", ("cues",), ("cue_index", "cue_hits"), _cues),
    Stage("gazetteer", ("gazetteer", "disambiguation", "lexicon"), ("mentions", "actors"),
          lambda d, r: gazetteer_mentions(d, r.gazetteer, r.disambiguation, r.lexicon.actors)),
    Stage("company-units", ("lexicon", "gazetteer"), ("mentions", "actors"),
          lambda d, r: company_units(d, r.lexicon.actors, r.gazetteer)),
    Stage("organisation-shapes", ("organisations", "org_not_first", "gazetteer", "lexicon"), ("mentions", "actors"),
          lambda d, r: pattern_organisations(d, r.organisations, r.org_not_first, r.gazetteer, r.lexicon.actors)),
    Stage("name-shapes", ("titles", "gazetteer", "lexicon"), ("mentions", "actors"), _name_shapes),
    Stage("given-names", ("lexicon", "titles"), ("mentions",),
          lambda d, r: extend_given_names(d, r.lexicon.actors, r.titles.pinyin_word)),
    Stage("titles", ("titles", "gazetteer", "lexicon"), ("mentions", "actors", "affiliations"),
          lambda d, r: find_titles(d, r.titles, r.gazetteer, r.lexicon.titles)),
    Stage("relations", ("relations", "grammar"), ("affiliations", "modifiers"),
          lambda d, r: find_relations(d, r.relations, r.grammar)),
    Stage("curated-possessives", ("gazetteer", "grammar", "relation_inverse"), ("affiliations", "modifiers"),
          lambda d, r: curated_possessives(d, r.gazetteer, r.grammar, r.relation_inverse)),
    Stage("minister-of", ("gazetteer", "lexicon"), ("mentions", "affiliations"),
          lambda d, r: minister_of(d, r.gazetteer, r.lexicon.titles)),
    Stage("descriptors", ("descriptors", "gazetteer"), ("mentions",),
          lambda d, r: descriptor_references(d, r.descriptors, r.gazetteer)),
    Stage("nominal-references", ("nominal", "grammar"), ("mentions",),
          lambda d, r: nominal_references(d, r.nominal, r.grammar)),
    Stage("surnames", ("titles", "grammar"), ("mentions",),
          lambda d, r: surname_references(d, r.titles, r.grammar)),
    # Again: posts at an organisation named only by a later reference, then their relations.
    Stage("appositive-titles", ("titles", "lexicon"), ("affiliations",),
          lambda d, r: appositive_titles(d, r.titles, r.lexicon.titles)),
    Stage("relations-again", ("relations", "grammar"), ("affiliations", "modifiers"),
          lambda d, r: find_relations(d, r.relations, r.grammar)),
    Stage("possessive-modifiers", ("grammar",), ("modifiers",),
          lambda d, r: possessive_modifiers(d, r.grammar)),
    Stage("executives", ("executives", "grammar"), ("mentions",),
          lambda d, r: executive_references(d, r.executives, r.grammar)),
    Stage("datelines", ("grammar",), ("modifiers",), lambda d, r: dateline_mentions(d, r.grammar)),
    Stage("references", ("grammar",), ("references",), lambda d, r: resolve_references(d, r.grammar)),
    Stage("events", ("events", "grammar"), ("events",), _events),
    Stage("acts", (), ("events",), _acts),
    Stage("used-references", (), ("mentions",), lambda d, r: used_reference_mentions(d)),
)
