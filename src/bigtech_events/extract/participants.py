"""Finding an event's participants around its trigger: clauses, subject and object groups, lists."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

from .grammar import Grammar
from .model import Doc, Mention
from .scanning import scanned

_SPANS = "participants.spans"
# clause_end's answers: (grammar, {sentence end: (positions asked, clause ends)})
_ENDS = "participants.clause_ends"


@contextmanager
def fixed_mentions(doc: Doc, g: Grammar) -> Iterator[None]:
    """Within the block the text and mentions of ``doc`` do not change and ``g`` is the only
    grammar: the asides and clause bounds found there are remembered instead of found again (the
    event stage asks for the same clause of a trigger for each of its dates and participants)."""
    if _SPANS in doc.memo:  # an outer block already remembers them
        yield
        return
    doc.memo[_SPANS] = (g, {})
    try:
        yield
    finally:
        del doc.memo[_SPANS]


def _spans(doc: Doc, g: Grammar) -> dict[tuple[Any, ...], Any] | None:
    held = doc.memo.get(_SPANS)
    return held[1] if held is not None and held[0] is g else None


def parentheticals(doc: Doc, g: Grammar, start: int, end: int) -> list[tuple[int, int]]:
    """Spans of ", who ... ," asides between start and end."""
    # An aside may run into the sentence after the one holding ``end``, no further.
    k = doc.sentence_from(end)
    limit = doc.sentences[k + 1].end if k < len(doc.sentences) - 1 else len(doc.text)
    memo = _spans(doc, g)
    if memo is None:
        return list(_asides(doc, g, start, limit, end))
    key = ("asides", start, limit)
    asides = memo.get(key)
    if asides is None:
        asides = memo[key] = list(_asides(doc, g, start, limit, None))
    return [(a, b) for a, b in asides if a < end and b <= end + 1]


def _asides(doc: Doc, g: Grammar, start: int, limit: int, end: int | None) -> Iterator[tuple[int, int]]:
    """The asides in text[start:limit]; with ``end``, only those that start before it and end by
    the character after it."""
    for m in g.parenthetical.finditer(doc.text, start, limit):
        if end is not None and not (m.start() < end and m.end() <= end + 1):
            continue
        # A descriptive aside (", the consumer-lending platform ...,") must follow a name.
        if g.descriptive_aside.match(m.group(0)) and not doc.ending_at(m.start()):
            continue
        yield m.span()


def clause_start(doc: Doc, g: Grammar, sent_start: int, pos: int) -> int:
    memo = _spans(doc, g)
    if memo is not None:
        start = memo.get(("start", sent_start, pos))
        if start is None:
            start = memo["start", sent_start, pos] = _clause_start(doc, g, sent_start, pos)
        return start
    return _clause_start(doc, g, sent_start, pos)


def _clause_start(doc: Doc, g: Grammar, sent_start: int, pos: int) -> int:
    start = sent_start
    asides = parentheticals(doc, g, sent_start, pos)
    for m in scanned(g.clause_break).finditer(doc.text, sent_start, pos):
        if any(a <= m.start() < b for a, b in asides):
            continue
        start = m.end()
    return start


def clause_end(doc: Doc, g: Grammar, pos: int, sent_end: int) -> int:
    """Where the clause of ``pos`` ends: at the first clause break at or after ``pos`` (before
    ``sent_end``), else at ``sent_end``.

    The answers are kept for the article, as they depend on its text alone. The first break at or
    after ``pos`` is also the first at or after any position from ``pos`` up to it (whether a
    break starts at a position does not depend on where the search started), so a position in
    such a span is answered without a search."""
    held = doc.memo.get(_ENDS)
    if held is None or held[0] is not g:
        held = doc.memo[_ENDS] = (g, {})
    froms, ends = held[1].setdefault(sent_end, ([], []))
    i = bisect_right(froms, pos)
    if i and pos <= ends[i - 1]:
        return ends[i - 1]
    m = scanned(g.clause_break).search(doc.text, pos, sent_end)
    end = m.start() if m else sent_end
    froms.insert(i, pos)
    ends.insert(i, end)
    return end


def attributive(doc: Doc, g: Grammar, m: Mention) -> bool:
    """A name used as a modifier of a noun: "a Hong Kong listing", "5,000 Hong Kong restaurants"."""
    # The noun after is looked for first: one match at one place, which most names fail.
    if not g.attributive_after.match(doc.text[m.end:m.end + g.settings.attributive_after_chars]):
        return False
    opening = doc.sentences[m.sentence].start if 0 <= m.sentence < len(doc.sentences) else 0
    before = doc.text[max(opening, m.start - g.settings.attributive_before_chars):m.start]  # this sentence only
    return bool(g.attributive_before.search(before) and not g.attributive_unless.match(doc.text, m.start))


def eligible(doc: Doc, g: Grammar, start: int, end: int) -> list[Mention]:
    """Mentions that can be participants: not modifiers of another actor, not mere locations."""
    memo = _spans(doc, g)
    if memo is None:
        return [m for m in doc.mentions_in(start, end) if _can_take_part(doc, g, m)]
    out = []
    for m in doc.mentions_in(start, end):
        key = ("eligible", id(m))  # the mention lives in doc.mentions as long as the memo
        can = memo.get(key)
        if can is None:
            can = memo[key] = _can_take_part(doc, g, m)
        if can:
            out.append(m)
    return out


def _can_take_part(doc: Doc, g: Grammar, m: Mention) -> bool:
    return (not m.modifier and not m.location and not attributive(doc, g, m) and not _acronym_repeat(doc, g, m)
            and not _classifier(doc, g, m) and not g.compound_modifier.match(doc.text, m.end))


def _classifier(doc: Doc, g: Grammar, m: Mention) -> bool:
    """A collective right before a name classifies it ("Chinese internet firms Tencent and
    NetEase"), and so does a name before one of `classifier_nouns` and another name ("TikTok
    maker ByteDance"): the names after it are the participants."""
    if doc.actors.get(m.actor_id, {}).get("actor_type") == "group" and any(
            not doc.text[m.end:x.start].strip() for x in doc.starting_in(m.end, m.end + 3)):
        return True
    words = doc.text[m.end:m.end + g.settings.attributive_after_chars].split()
    if not words or words[0] not in g.classifier_nouns:
        return False
    gap = doc.text.find(words[0], m.end) + len(words[0])
    return any(not doc.text[gap:x.start].strip() for x in doc.starting_in(gap, gap + 3))


def counted_members(doc: Doc, g: Grammar, start: int, trig_start: int, trig_end: int,
                    sent_end: int) -> list[Mention]:
    """"11 firms had received approvals, including X and Y": the named members of a counted
    subject, named after the act (grammar.yaml: counted_subject, members_after)."""
    if not g.counted_subject.search(doc.text[start:trig_start]):
        return []
    inc = g.members_after.search(doc.text, trig_end, sent_end)
    if inc is None:
        return []
    ms = eligible(doc, g, inc.end(), clause_end(doc, g, inc.end(), sent_end))
    return group_from(doc, g, ms, 0) if ms else []


def _without_asides(doc: Doc, g: Grammar, start: int, end: int) -> str:
    text = doc.text[start:end]
    for a, b in sorted(parentheticals(doc, g, start, end), reverse=True):
        text = text[: a - start] + "," + text[b - start:]
    return g.acronym.sub("", text)


def _acronym_repeat(doc: Doc, g: Grammar, m: Mention) -> bool:
    """"(NDRC)" right after "National Development and Reform Commission" repeats the same actor:
    the gap between the two mentions of one actor is an opening bracket."""
    opening = doc.sentences[m.sentence].start if 0 <= m.sentence < len(doc.sentences) else 0
    return any(x.actor_id == m.actor_id and g.acronym_open.fullmatch(doc.text, x.end, m.start)
               for x in doc.mentions_in(opening, m.start))


def group_from(doc: Doc, g: Grammar, ms: list[Mention], first: int) -> list[Mention]:
    """The coordinated group starting at ms[first]: "X, Y and Z", "X and southern hub Y"."""
    group = [ms[first]]
    asides = parentheticals(doc, g, ms[first].end, doc.sentences[ms[first].sentence].end)
    for nxt in ms[first + 1:]:
        if any(a <= nxt.start < b for a, b in asides):
            continue  # a name inside an aside ("X, the platform spun off from Y in 2018, ...")
        last = group[-1]
        if nxt.start == last.start and nxt.end == last.end:
            group.append(nxt)  # one phrase standing for several people ("the business leaders")
            continue
        between = _without_asides(doc, g, last.end, nxt.start)
        if g.coordination.match(between) and not g.clause_break.search(between):
            group.append(nxt)
        else:
            break
    return group


def stands_for_actor(doc: Doc, g: Grammar, p: re.Match[str]) -> bool:
    """Whether a pronoun match stands for an actor: "It follows ..." stands for an event (grammar.yaml:
    event_anaphora); "he was" never does."""
    return "person" in g.pronouns.get(p.group(1), ()) or not g.event_anaphora.match(doc.text, p.end())


def subject_group(doc: Doc, g: Grammar, sent_idx: int, start: int, trig_start: int) -> list[Mention]:
    asides = parentheticals(doc, g, start, trig_start)
    ms = [m for m in eligible(doc, g, start, trig_start) if not any(a <= m.start < b for a, b in asides)]
    if ms:
        return group_from(doc, g, ms, 0)
    if g.relative_who_end.search(doc.text[max(0, start - g.settings.relative_who_chars):start]):
        # "X, who stepped down ...": the relative pronoun stands for the name before it.
        head = [m for m in eligible(doc, g, max(0, start - g.settings.relative_who_head_chars), start)
                if g.relative_who.fullmatch(doc.text[m.end:start])]
        if head:
            return [head[-1]]
    counted = scanned(g.counted).search(doc.text, start, trig_start)
    if counted and ("counted", counted.start()) in doc.references:
        return list(doc.references["counted", counted.start()].mentions)
    pron = [p for p in scanned(g.pronoun).finditer(doc.text, start, trig_start) if stands_for_actor(doc, g, p)]
    if pron and ("pronoun", pron[0].start()) in doc.references:
        return list(doc.references["pronoun", pron[0].start()].mentions)
    return []


def speaker(doc: Doc, g: Grammar, start: int, end: int) -> list[Mention]:
    """The speaker named after a reported clause, between ``start`` and ``end``: "..., Vice
    Premier X, <aside>, said", "...," said X (grammar.yaml: speaker; its first group that took
    part holds the name)."""
    for sm in g.speaker.finditer(doc.text, start, end):
        span = next((sm.span(i) for i in range(1, (sm.lastindex or 0) + 1) if sm.group(i)), None)
        ms = eligible(doc, g, *span) if span else []
        if ms:
            return group_from(doc, g, ms, 0)
    return []


def last_group(doc: Doc, g: Grammar, start: int, end: int) -> list[Mention]:
    """The coordinated group that ends closest before ``end`` ("... and Ant Group was hit with")."""
    ms = eligible(doc, g, start, end)
    for i in range(len(ms)):
        group = group_from(doc, g, ms, i)
        if group[-1] is ms[-1]:
            return group
    return []


def object_group(doc: Doc, g: Grammar, trig_end: int, end: int, sent_idx: int | None = None,
                 exclude: tuple[str, ...] = ()) -> list[Mention]:
    counted = g.counted_including.match(doc.text, trig_end)
    if counted is not None:
        # "fined five platforms, including X and Y": the members run on past ", including".
        sent = doc.sentences[doc.sentence_from(trig_end)]
        members = eligible(doc, g, counted.end(), clause_end(doc, g, counted.end(), sent.end))
        if members and members[0].start == counted.end():
            return group_from(doc, g, members, 0)
    ms = eligible(doc, g, trig_end, end)
    if ms and g.object_gap.match(doc.text[trig_end:ms[0].start]):
        group = group_from(doc, g, ms, 0)
        # "summoned executives of the company on Monday, including chief executive X": X too.
        inc = g.including.match(doc.text, group[-1].end)
        if inc and inc.end() < end:
            more = [m for m in ms if m.start >= inc.end()]
            if more and g.object_gap.match(doc.text[inc.end():more[0].start]) is not None:
                group = group + group_from(doc, g, more, 0)
        # "approved Tencent's acquisition of Ximalaya": the other side of the deal is a target too.
        deal = g.deal_of.match(doc.text, group[-1].end)
        if deal:
            rest = [m for m in ms if m.start >= deal.end()]
            if (rest and rest[0].start - deal.end() < g.settings.deal_gap_chars
                    and g.object_tail.fullmatch(doc.text[deal.end():rest[0].start])):
                group = group + group_from(doc, g, rest, 0)
        return group
    pm = g.object_pronoun.match(doc.text, trig_end)
    ref = doc.references.get(("object", pm.start(1))) if pm and sent_idx is not None else None
    if ref is not None:
        # "barred it from ...": the organisation named last before the act, other than the actor.
        target = next((x for x in ref.mentions if x.actor_id not in exclude), None)
        if target is not None:
            return [target]
    return []


@lru_cache(maxsize=256)
def _prep_regex(prepositions: tuple[str, ...], preps: frozenset[str]) -> re.Pattern[str]:
    """The prepositions of the grammar and of one trigger rule, as group 1 (built once per pair)."""
    words = "|".join(sorted(set(prepositions) | set(preps), key=len, reverse=True))
    return re.compile(rf"(?<![\w-])({words})\s")


def prep_groups(doc: Doc, g: Grammar, trig_end: int, end: int,
                preps: dict[str, str]) -> list[tuple[str, str, list[Mention]]]:
    """(preposition, role, group) for each preposition of the rule found after the trigger."""
    if not preps:
        return []
    rx = _prep_regex(g.prepositions, frozenset(preps))
    found = [f for f in rx.finditer(doc.text, trig_end, end)
             if not doc.inside(f.start())]  # "of" in "Bank of China"
    out = []
    for i, pm in enumerate(found):
        prep = pm.group(1)
        if prep not in preps:
            continue
        stop = end
        for later in found[i + 1:]:
            if later.group(1) in preps:
                stop = later.start()
                break
        ms = eligible(doc, g, pm.end(), stop)
        if preps[prep] == "location":
            ms = [m for m in doc.mentions_in(pm.end(), stop) if not m.modifier]
        if not ms:
            continue
        gap = doc.text[pm.end():ms[0].start]
        if len(gap.split()) > g.settings.preposition_gap_words:
            continue
        if prep == "to" and any(pm.end() <= other.start() < ms[0].start for other in found[i + 1:]):
            continue  # "pledged to hold its share of X": an infinitive; X belongs to "of"
        out.append((prep, preps[prep], group_from(doc, g, ms, 0)))
    return out
