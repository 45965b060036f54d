"""Stated relations between two adjacent actor mentions (rules/relations.yaml)."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from .grammar import Grammar
from .model import Affiliation, Doc, Mention


@dataclass(frozen=True)
class RelationRule:
    rule_id: str
    relation: str
    between: re.Pattern[str]
    subject: str  # "first" | "second"
    first_types: tuple[str, ...] = ()
    second_types: tuple[str, ...] = ()
    after: re.Pattern[str] | None = None
    modifier: str = "object"  # which mention only qualifies the other: "first", "second" or "object"


# The rules whose `between` matches a short text, by rule list (held, so that its id is not
# reused) and text: the same few words (", ", "'s ", " and ") stand between names in every article.
_FITTING: dict[int, tuple[list[RelationRule], dict[str, tuple[RelationRule, ...]]]] = {}
_FITTING_CHARS = 80  # longer texts seldom come back: not remembered
_FITTING_SIZE = 20_000  # texts remembered per rule list before starting afresh


def _fitting(rules: list[RelationRule], between: str) -> tuple[RelationRule, ...]:
    """The ``rules`` whose ``between`` matches the whole of ``between``, in their order."""
    if len(between) > _FITTING_CHARS:
        return tuple(r for r in rules if r.between.fullmatch(between))
    known = _FITTING.get(id(rules))
    if known is None or known[0] is not rules or len(known[1]) > _FITTING_SIZE:
        if len(_FITTING) > 64:
            _FITTING.clear()  # lists made on the fly are not worth keeping
        known = _FITTING[id(rules)] = (rules, {})
    out = known[1].get(between)
    if out is None:
        out = known[1][between] = tuple(r for r in rules if r.between.fullmatch(between))
    return out


def add_affiliation(doc: Doc, aff: Affiliation) -> bool:
    """Record ``aff`` unless the article already states the same relation between the same two
    actors: one row per stated tie, the repeats (headline, caption, body) being evidence of it.
    A post is the more specific statement of a person's tie: it replaces a bare ``affiliate_of``
    ("Meituan's Wang Xing") between the same two actors, and makes a later one redundant."""
    pair = (aff.subject_id, aff.object_id)
    known = doc.ties(*pair)
    if aff.relation in known or (aff.relation == "affiliate_of" and "position" in known):
        return False
    if aff.relation == "position" and "affiliate_of" in known:
        doc.affiliations = [a for a in doc.affiliations
                            if not ((a.subject_id, a.object_id) == pair and a.relation == "affiliate_of")]
    doc.affiliations.append(aff)
    return True


def possessive_modifiers(doc: Doc, g: Grammar) -> None:
    """"China's State Administration for Market Regulation": the possessor only qualifies the head."""
    for sent in doc.sentences:
        ms = doc.of_sentence(sent.index)
        for a, b in itertools.pairwise(ms):
            if b.start > a.end and g.possessive_modifier.fullmatch(doc.text[a.end:b.start]):
                a.modifier = True


def curated_possessives(doc: Doc, gaz: object, g: Grammar, inverse: dict[str, str] | None = None) -> None:
    """"Alibaba Group's Ele.me": a company's possessive naming another company states a relation
    whose kind the gazetteer records (subsidiary, affiliate, part); without a curated relation
    the possessive alone gives no row. A relation of ``inverse`` is recorded the other way round."""
    inverse = inverse or {}
    actors = getattr(gaz, "actors", {})
    for sent in doc.sentences:
        ms = doc.of_sentence(sent.index)
        for a, b in itertools.pairwise(ms):
            if not g.possessive_relation.fullmatch(doc.text[a.end:b.start]):
                continue
            entry = actors.get(b.actor_id)
            label = next((rel for rel, obj in (entry.relations if entry else ())
                          if obj == a.actor_id and rel in g.possessive_relations), None)
            if label is None:
                continue
            a.modifier = True
            subj, obj = (a, b) if label in inverse else (b, a)
            label = inverse.get(label, label)
            add_affiliation(doc, Affiliation(subj.actor_id, label, obj.actor_id, a.start, b.end,
                                             "relation.curated-possessive", sent.index))
            doc.note(sent.index, "relation.curated-possessive", f"{subj.actor_id} {label} {obj.actor_id}")


def find_relations(doc: Doc, rules: list[RelationRule], g: Grammar) -> None:
    # The pairs of actors with a row already, by where their first words start.
    seen: dict[int, list[set[str]]] = {}
    for a in doc.affiliations:
        seen.setdefault(a.start, []).append({a.subject_id, a.object_id})
    width = g.settings.relation_after_chars  # how far after the second name `after` may look
    for sent in doc.sentences:
        ms = doc.of_sentence(sent.index)
        for i, first in enumerate(ms):
            # Only the next mention that follows this one (no name in between): adjacent pairs,
            # each actor of it when it stands for several. `ms` is in document order: those that
            # follow are ms[j:], and the mentions of the same words as ms[j] come right after it.
            j = i + 1
            while j < len(ms) and ms[j].start < first.end:
                j += 1
            k = j + 1
            while k < len(ms) and ms[k].start == ms[j].start and ms[k].end == ms[j].end:
                k += 1
            for named in ms[j:k]:
                fitting = _fitting(rules, doc.text[first.end:named.start])
                if not fitting:
                    continue
                second = _head(doc, rules, ms, named)
                for rule in fitting:
                    if rule.first_types and _type(doc, first.actor_id) not in rule.first_types:
                        continue
                    if rule.second_types and _type(doc, second.actor_id) not in rule.second_types:
                        continue
                    if rule.after and not rule.after.match(doc.text[second.end:second.end + width]):
                        continue
                    subj, obj = (first, second) if rule.subject == "first" else (second, first)
                    if subj.actor_id == obj.actor_id:
                        continue
                    if {subj.actor_id, obj.actor_id} in seen.get(first.start, ()):
                        break  # one row per stated relation: this pair already has its row
                    seen.setdefault(first.start, []).append({subj.actor_id, obj.actor_id})
                    {"first": first, "second": second}.get(rule.modifier, obj).modifier = True
                    add_affiliation(doc, Affiliation(subj.actor_id, rule.relation, obj.actor_id,
                                                        first.start, second.end, f"relation.{rule.rule_id}",
                                                        sent.index))
                    doc.note(sent.index, f"relation.{rule.rule_id}",
                             f"{subj.actor_id} {rule.relation} {obj.actor_id}")
                    break


def _head(doc: Doc, rules: list[RelationRule], ms: list[Mention], m: Mention) -> Mention:
    """The actor a mention only describes, when a rule whose first mention is the qualifier
    (`modifier: first`) links it to the next name: in "a subsidiary of TikTok owner ByteDance" the
    subsidiary is ByteDance's, not the product's. Otherwise the mention itself."""
    nxt = next((x for x in ms if x.start >= m.end), None)
    if nxt is None:
        return m
    between = doc.text[m.end:nxt.start]
    for rule in _fitting(rules, between):
        if (rule.modifier == "first"
                and (not rule.first_types or _type(doc, m.actor_id) in rule.first_types)
                and (not rule.second_types or _type(doc, nxt.actor_id) in rule.second_types)):
            return nxt
    return m


def _type(doc: Doc, actor_id: str) -> str | None:
    return doc.actors.get(actor_id, {}).get("actor_type")
