"""Later references: "the company", "the municipal government", a surname alone, "the business leaders"."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .dates import required_words
from .grammar import Grammar
from .model import Doc, Mention
from .participants import clause_end
from .prefilter import worth_trying
from .scanning import scanned
from .titles import TitleRules, first_named, nearest_actor, resolve_surname


@dataclass(frozen=True)
class NominalRule:
    rule_id: str
    regex: re.Pattern[str]
    types: tuple[str, ...]
    window: int
    exclude: tuple[str, ...] = ()
    prefer: tuple[str, ...] = ()
    unique: bool = False  # only the one actor of `types` named within `window` sentences, either side


def unique_named(doc: Doc, sent_idx: int, types: tuple[str, ...], window: int,
                 exclude: tuple[str, ...]) -> Mention | None:
    """The first mention of the only actor of ``types`` named (not by coreference) within ``window``
    sentences before or after ``sent_idx``; None when there is none or more than one."""
    near = [x for x in doc.in_sentences(sent_idx - window, sent_idx + window)
            if abs(x.sentence - sent_idx) <= window and x.resolution != "coreference"
            and not x.location and doc.actors[x.actor_id]["actor_type"] in types and x.actor_id not in exclude]
    return near[0] if len({x.actor_id for x in near}) == 1 else None


def _apposition(doc: Doc, g: Grammar, end: int, start: int) -> bool:
    """Whether only an apposition gap (", ") stands between a name ending at end and start."""
    return start > end and bool(g.apposition_gap.fullmatch(doc.text, end, start))


def _modified(g: Grammar, m: re.Match[str]) -> bool:
    """"The Beijing-based company": words other than the bare article stand before the head
    (group 1), so the mention is the head alone; "the company" is recorded whole."""
    if not m.lastindex or m.group(1) is None:
        return False
    phrase, head = m.group(0), m.group(1)
    before_head = phrase[:len(phrase) - len(head)]
    return not (phrase.lower().endswith(head.lower()) and g.bare_article.fullmatch(before_head))


def examples(doc: Doc, g: Grammar) -> frozenset[int]:
    """The mentions (by id()) listed as examples: two or more names after "such as" or
    "including", to the end of their clause (grammar.yaml: example_list)."""
    out: set[int] = set()
    example_list = scanned(g.example_list)
    words = required_words(g.example_list)  # one of which every cue holds ("such", "including")
    for sent in doc.sentences:
        holds = words is None or words.search(doc.text, sent.start, sent.end)
        for cue in example_list.finditer(doc.text, sent.start, sent.end) if holds else ():
            end = clause_end(doc, g, cue.end(), sent.end)
            listed = [m for m in doc.mentions_in(cue.end(), end) if not m.modifier and not m.location]
            if len({m.actor_id for m in listed}) >= 2:
                out.update(id(m) for m in listed)
    return frozenset(out)


def nominal_references(doc: Doc, rules: list[NominalRule], g: Grammar) -> None:
    listed = examples(doc, g)
    for sent in doc.sentences:
        for rule in worth_trying(doc, sent.index, rules, lambda r: r.regex):
            for m in scanned(rule.regex).finditer(doc.text, sent.start, sent.end):
                s, e = m.span(1) if _modified(g, m) else m.span(0)
                if doc.covered(s, e):
                    continue
                if (any(_apposition(doc, g, x.end, m.start()) for x in doc.mentions_in(sent.start, m.start()))
                        and not g.possessive_after.match(doc.text, m.end())):
                    continue  # "Lufax, the Shanghai-based lending platform,": describes the name beside it
                target = None
                if rule.unique:
                    target = unique_named(doc, sent.index, rule.types, rule.window, rule.exclude)
                elif rule.prefer:
                    target = next((x for x in reversed(doc.in_sentences(sent.index - rule.window, sent.index))
                                   if x.actor_id in rule.prefer
                                   and x.end <= m.start() and x.sentence >= sent.index - rule.window), None)
                if target is None and not rule.unique:
                    # "JD Logistics, the group's delivery arm": an apposition does not refer to the
                    # name it stands beside.
                    beside = [x.actor_id for x in doc.mentions_in(sent.start, m.start())
                              if _apposition(doc, g, x.end, m.start())]
                    # Places that only locate another name are skipped ("Hangzhou, capital of Zhejiang");
                    # an organisation named as someone's employer is still a fine antecedent.
                    target = nearest_actor(doc, m.start(), rule.types, rule.window,
                                           rule.exclude + tuple(beside),
                                           skip_modifiers="government" in rule.types, skip=listed)
                if target is None:
                    doc.note(sent.index, f"coreference.{rule.rule_id}", f"{m.group(0)!r} left unresolved")
                    continue
                doc.add_mention(Mention(s, e, doc.text[s:e], target.actor_id, "coreference",
                                        f"coreference.{rule.rule_id}", sent.index))


def _descriptor_regex(rule: tuple[str, str, re.Pattern[str], re.Pattern[str] | None]) -> re.Pattern[str]:
    return rule[2]


def descriptor_references(doc: Doc, rules: list[tuple[str, str, re.Pattern[str], re.Pattern[str] | None]],
                          gaz: Any) -> None:
    """"China's market regulator": a descriptive name of a central body, resolved to it unless the
    article has named another body the words could mean."""
    # Where each rule's other body is first named (its first match ends): once per article.
    named = [None if unless is None else min((x.end() for x in unless.finditer(doc.text)), default=None)
             for _, _, _, unless in rules]
    first_of = {id(rule): first for rule, first in zip(rules, named, strict=True)}
    for sent in doc.sentences:
        for rule in worth_trying(doc, sent.index, rules, _descriptor_regex):
            rule_id, actor_id, rx, _ = rule
            first = first_of[id(rule)]
            for m in rx.finditer(doc.text, sent.start, sent.end):
                s, e = m.span(1)
                if doc.covered(s, e) or actor_id not in gaz.actors:
                    continue
                if first is not None and first <= m.start():
                    doc.note(sent.index, f"coreference.{rule_id}", f"{m.group(1)!r} left unresolved: "
                             "another body it could mean was named before")
                    continue
                doc.actors.setdefault(actor_id, gaz.actors[actor_id].row())
                doc.add_mention(Mention(s, e, doc.text[s:e], actor_id, "coreference",
                                        f"coreference.{rule_id}", sent.index))


def surname_references(doc: Doc, rules: TitleRules, g: Grammar) -> None:
    """A surname alone ("Liu thanked ...") refers to the one person of that surname named before."""
    width = g.settings.surname_context_chars
    # A surname resolves to someone named before it, so its own mention changes no first naming.
    firsts = first_named(doc, rules)
    if not firsts:
        return  # no person of several words: no surname resolves
    surname_word = scanned(g.surname_word)
    for sent in doc.sentences:
        if not any(doc.text.find(name, sent.start, sent.end) >= 0 for name in firsts):
            continue  # none of those surnames here: no word of the sentence resolves
        for m in surname_word.finditer(doc.text, sent.start, sent.end):
            word = m.group(1)
            if word not in firsts:
                continue  # nobody named before bears it: resolve_surname finds no one
            if word in rules.not_names or doc.covered(m.start(), m.end()):
                continue
            before = doc.text[max(sent.start, m.start() - width):m.start()]
            after = doc.text[m.end():m.end() + width]
            if g.name_word_before.search(before) or g.name_word_after.match(after):
                continue  # part of a longer name
            actor_id = resolve_surname(doc, word, m.start(), rules, firsts)
            if actor_id:
                doc.add_mention(Mention(m.start(), m.end(), word, actor_id, "coreference",
                                        "coreference.surname", sent.index))


def executive_references(doc: Doc, patterns: list[tuple[str, re.Pattern[str]]], g: Grammar) -> None:
    """"the business leaders": every person in the sentence with a post at an organisation of
    one of the types of grammar.yaml's executive_org_types (companies)."""
    for sent in doc.sentences:
        for rule_id, rx in patterns:
            for m in rx.finditer(doc.text, sent.start, sent.end):
                execs = [a.subject_id for a in doc.affiliations
                         if a.sentence == sent.index and a.relation == "position"
                         and doc.actors.get(a.object_id, {}).get("actor_type") in g.executive_org_types]
                for actor_id in dict.fromkeys(execs):
                    doc.add_mention(Mention(m.start(), m.end(), m.group(0), actor_id, "coreference",
                                            f"coreference.{rule_id}", sent.index))
