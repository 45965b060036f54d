"""Pronouns and counted phrases ("it", "he", "all three companies"): what each stands for.

The references stage resolves every such phrase of the article before the events stage runs and
keeps the resolutions in ``Doc.references``; the events stage only reads them when a phrase
fills a participant slot. A resolution becomes a row of the mentions table only when an event
uses it (the used-references stage, after the events): a pronoun that fills no slot is not
recorded as a mention of anyone. The words are the grammar's (``rules/grammar.yaml``:
``pronouns``, ``counted``, ``object_pronoun``); the windows are ``settings.yaml``'s.
"""

from __future__ import annotations

from dataclasses import dataclass

from .dates import required_words
from .grammar import Grammar
from .model import Doc, Mention
from .participants import eligible, group_from, stands_for_actor
from .scanning import scanned
from .titles import nearest_actor


@dataclass(frozen=True)
class Reference:
    """A phrase and the mentions it would add. ``kind`` is ``pronoun`` (a subject pronoun: one
    actor), ``counted`` (every actor of the group it counts) or ``object`` (a pronoun after the
    act: candidates nearest first, the act's own actors are skipped by the event)."""

    kind: str
    start: int
    mentions: tuple[Mention, ...]


def resolve_references(doc: Doc, g: Grammar) -> None:
    # The eligible mentions of whole sentences, by sentence: the mentions do not change while
    # references are resolved, and the sentences before a pronoun are read again for the next.
    whole: dict[int, list[Mention]] = {}
    pronoun, counted = scanned(g.pronoun), scanned(g.counted)
    # Every counted phrase holds one of these words ("three", "both"): most sentences have none.
    counted_words = required_words(g.counted)
    for sent in doc.sentences:
        for p in pronoun.finditer(doc.text, sent.start, sent.end):
            if not stands_for_actor(doc, g, p):
                continue
            types = g.pronouns.get(p.group(1), ())
            target = _subject_of_recent(doc, g, p.start(), types, sent.index, whole) or nearest_actor(
                doc, p.start(), types, window=g.settings.pronoun_sentences, skip_modifiers=True)
            if target is not None:
                _keep(doc, "pronoun", p.start(), p.end(), [target.actor_id], "coreference.pronoun", sent.index)
        holds = counted_words is None or counted_words.search(doc.text, sent.start, sent.end)
        for c in counted.finditer(doc.text, sent.start, sent.end) if holds else ():
            group = _counted_group(doc, g, sent.index, c.group(1), c.group(2), whole)
            _keep(doc, "counted", c.start(), c.end(), [x.actor_id for x in group], "coreference.counted",
                  sent.index)
        for o in g.object_pronoun.finditer(doc.text, sent.start, sent.end):
            # The organisations named before the act (up to the pronoun), nearest first.
            start = doc.sentences[max(0, sent.index - g.settings.pronoun_sentences)].start
            before = [m for m in eligible(doc, g, start, o.start() - len(o.group(0)) + 1)
                      if doc.actors.get(m.actor_id, {}).get("actor_type") in g.object_pronoun_types]
            ids = list(dict.fromkeys(m.actor_id for m in reversed(before)))
            _keep(doc, "object", o.start(1), o.end(1), ids, "coreference.pronoun", sent.index)


def used_reference_mentions(doc: Doc) -> None:
    """The resolutions that fill an event's participant slot become mentions."""
    resolved = {id(m) for r in doc.references.values() for m in r.mentions}
    for ev in doc.events:
        for e in (ev, *ev.mentions):
            for _, _, m in e.participants:
                if id(m) in resolved:
                    doc.add_mention(m)


def _keep(doc: Doc, kind: str, start: int, end: int, actor_ids: list[str], rule_id: str,
          sentence: int) -> None:
    if actor_ids:
        text = doc.text[start:end]
        doc.references[kind, start] = Reference(kind, start, tuple(
            Mention(start, end, text, a, "coreference", rule_id, sentence) for a in actor_ids))


def _eligible_in(doc: Doc, g: Grammar, idx: int, whole: dict[int, list[Mention]]) -> list[Mention]:
    """``eligible`` over the whole ``idx``-th sentence, kept in ``whole``."""
    ms = whole.get(idx)
    if ms is None:
        sent = doc.sentences[idx]
        ms = whole[idx] = eligible(doc, g, sent.start, sent.end)
    return ms


def _earlier_sentences(sent_idx: int, n: int) -> list[int]:
    """The indexes of the n sentences before sent_idx, nearest first."""
    return [i for i in range(sent_idx - 1, sent_idx - 1 - n, -1) if i >= 0]


def _subject_of_recent(doc: Doc, g: Grammar, before: int, types: tuple[str, ...],
                       sent_idx: int, whole: dict[int, list[Mention]]) -> Mention | None:
    """For "it"/"he": the first actor of a fitting type named in this sentence before the pronoun,
    else in the sentences before (news style keeps the subject as the topic). A pronoun resolved
    before counts as naming its actor (a chain: "The regulator ... it summoned ... it ordered")."""
    for idx in [sent_idx, *_earlier_sentences(sent_idx, g.settings.pronoun_sentences)]:
        sent = doc.sentences[idx]
        end = before if idx == sent_idx else sent.end
        chain = [r.mentions[0] for (kind, start), r in doc.references.items()
                 if kind == "pronoun" and sent.start <= start < end]
        # eligible(doc, g, sent.start, end): which mentions are eligible does not depend on the span.
        named = [m for m in _eligible_in(doc, g, idx, whole) if m.start < end and m.end <= end]
        for m in sorted([*named, *chain], key=lambda x: x.start):
            if doc.actors.get(m.actor_id, {}).get("actor_type") in types:
                return m
    return None


def _counted_group(doc: Doc, g: Grammar, sent_idx: int, number: str, kind_word: str,
                   whole: dict[int, list[Mention]]) -> list[Mention]:
    """"All three companies": the last group of exactly that many actors of the kind, named in the
    previous sentences (settings.yaml: counted_reference_sentences)."""
    n, kind = g.counted_numbers.get(number), g.counted_kinds.get(kind_word)
    for idx in _earlier_sentences(sent_idx, g.settings.counted_reference_sentences):
        ms = [x for x in _eligible_in(doc, g, idx, whole)
              if doc.actors.get(x.actor_id, {}).get("actor_type") == kind]
        for i in range(len(ms)):
            group = group_from(doc, g, ms, i)
            if len(group) == n:
                return group
    return []
