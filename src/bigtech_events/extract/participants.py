"""Finding an event's participants around its trigger: clauses, subject and object groups, lists."""

from __future__ import annotations

import re

from .model import Doc, Mention
from .titles import nearest_actor

CLAUSE_BREAK = re.compile(
    r";|:|\s[–—-]\s|,\s+(?:where|which|who|whose|while|when|in which|at which|during which|encompassing|"
    r"including|according|far|but|although|though|after|before|as|with)\b|\s+(?:according to|where|whereas)\s"
    r"|,\s+to\s+[a-z]+|\s+to\s+(?!be\b)(?:raise|boost|bolster|deepen|promote|develop|improve|support|help|"
    r"build|expand|deliver|strengthen|explore|jointly|provide|ensure|enhance|accelerate|drive|create|advance)\b"
)
COORD = re.compile(r"^\s*(?:,\s*(?:and\s+|&\s+)?|and\s+|&\s+|as well as\s+)(?:[\w’'.-]+\s+){0,8}$")
OBJECT_GAP = re.compile(r"^\s*(?:(?:the|a|an|its|their|his|her)\s+)?(?:[a-z][\w-]*\s+){0,2}$")
PRONOUN = re.compile(r"(?<![\w’'])(he|she|He|She)(?![\w’'])")
PREPOSITIONS = ("with", "between", "from", "by", "on", "to", "into", "of", "against", "in", "for", "among")


def clause_start(doc: Doc, sent_start: int, pos: int) -> int:
    start = sent_start
    for m in CLAUSE_BREAK.finditer(doc.text, sent_start, pos):
        start = m.end()
    return start


def clause_end(doc: Doc, pos: int, sent_end: int) -> int:
    m = CLAUSE_BREAK.search(doc.text, pos, sent_end)
    return m.start() if m else sent_end


def eligible(doc: Doc, start: int, end: int) -> list[Mention]:
    """Mentions that can be participants: not modifiers of another actor, not mere locations."""
    return [m for m in doc.mentions if m.start >= start and m.end <= end and not m.modifier and not m.location]


def group_from(doc: Doc, ms: list[Mention], first: int) -> list[Mention]:
    """The coordinated group starting at ms[first]: "X, Y and Z", "X and southern hub Y"."""
    group = [ms[first]]
    for nxt in ms[first + 1:]:
        last = group[-1]
        if nxt.start == last.start and nxt.end == last.end:
            group.append(nxt)  # one phrase standing for several people ("the business leaders")
            continue
        between = doc.text[last.end:nxt.start]
        if COORD.match(between) and not CLAUSE_BREAK.search(between):
            group.append(nxt)
        else:
            break
    return group


def subject_group(doc: Doc, sent_idx: int, start: int, trig_start: int) -> list[Mention]:
    ms = eligible(doc, start, trig_start)
    if ms:
        return group_from(doc, ms, 0)
    pron = [p for p in PRONOUN.finditer(doc.text, start, trig_start)]
    if pron:
        p = pron[0]
        person = nearest_actor(doc, p.start(), ("person",), window=2)
        if person is not None:
            m = doc.add_mention(Mention(p.start(), p.end(), p.group(1), person.actor_id, "coreference",
                                        "coreference.pronoun", sent_idx))
            return [m]
    return []


def object_group(doc: Doc, trig_end: int, end: int) -> list[Mention]:
    ms = eligible(doc, trig_end, end)
    if ms and OBJECT_GAP.match(doc.text[trig_end:ms[0].start]):
        return group_from(doc, ms, 0)
    return []


def prep_groups(doc: Doc, trig_end: int, end: int, preps: dict[str, str]) -> list[tuple[str, list[Mention]]]:
    """(role, group) for each preposition of the rule found after the trigger."""
    if not preps:
        return []
    words = "|".join(sorted(set(PREPOSITIONS) | set(preps), key=len, reverse=True))
    rx = re.compile(rf"(?<![\w-])({words})\s")
    found = list(rx.finditer(doc.text, trig_end, end))
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
        ms = eligible(doc, pm.end(), stop)
        ms_loc = [m for m in doc.mentions if m.start >= pm.end() and m.end <= stop and m.location]
        if preps[prep] == "location":
            ms = [m for m in doc.mentions if m.start >= pm.end() and m.end <= stop and not m.modifier]
        if not ms and ms_loc and preps[prep] != "location":
            ms = ms_loc
        if not ms:
            continue
        gap = doc.text[pm.end():ms[0].start]
        if len(gap.split()) > 8:
            continue
        out.append((preps[prep], group_from(doc, ms, 0)))
    return out
