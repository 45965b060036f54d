"""Finding an event's participants around its trigger: clauses, subject and object groups, lists."""

from __future__ import annotations

import re
from functools import lru_cache

from .model import Doc, Mention
from .titles import nearest_actor

CLAUSE_BREAK = re.compile(
    r";|:|\s[–—-]\s|,\s+(?:where|which|who|whose|while|when|in which|at which|during which|encompassing|"
    r"including|according|far|but|although|though|after|before|as|with)\b|\s+(?:according to|where|whereas)\s"
    r"|\b(?:said|says|told|announced|added|noted|stated|argued|believes|believed)\b[^.;]{0,40}?\bthat\s"
    r"|\b(?:said|says)\s+(?=(?:it|they|he|she|the|its|their)\b)"
    r"|,\s+(?:making|saying|adding|citing|calling|noting|urging|describing|ending|bringing|pushing|"
    r"sending|raising|leaving|giving|marking|signalling|signaling|accusing|warning|arguing|"
    r"prompting|sparking|triggering|wiping|helping|allowing|forcing)\s"
    r"|\s(?:after|before|when|while|because|although|though|once|until|unless)\s+(?=(?:the\s+)?[A-Z])"
    r"(?!(?:January|February|March|April|May|June|July|August|September|October|November|December|"
    r"Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\b)"
    r"|,\s+to\s+[a-z]+|\s+to\s+(?!be\b)(?:raise|boost|bolster|deepen|promote|develop|improve|support|help|"
    r"build|expand|deliver|strengthen|explore|jointly|provide|ensure|enhance|accelerate|drive|create|advance)\b"
)
COORD = re.compile(r"^\s*(?:,\s*(?:and\s+|&\s+)?|and\s+|&\s+|as well as\s+)(?:[\w’'.,-]+\s+){0,8}$")
OBJECT_GAP = re.compile(r"^\s*(?:(?:the\s+)?(?:top\s+|senior\s+)?(?:executives|officials|representatives|heads|bosses|"
                        r"leaders|managers|founders)\s+(?:from|of|at)\s+|"
                        r"(?:the\s+|an?\s+)?(?:[\w$.,()-]+\s+){0,4}(?:IPO|listing|flotation|offering|app|apps|plans?|"
                        r"services?|business|operations|deal|acquisition|merger|share\s+sale)\s+(?:of|by)\s+"
                        r"(?:[a-z][\w-]*\s+){0,3}|"
                        r"(?!.*\b(?:with|from|by|on|in|into|for|to|of|against|between|among|at|as)\s)"
                        r"(?:[\w’'.-]+\s+){0,4})$")
ACRONYM = re.compile(r"\s*\([^()]{1,40}\)")
PRONOUN = re.compile(r"(?<![\w’'])(he|she|He|She|it|It|they|They|its|Its|their|Their)(?![\w’'])")
EVENT_ANAPHORA = re.compile(r"\s+(?:follow(?:s|ed)?|c(?:o|a)mes?|came|marks?|marked|was|is|had been|has been)\b")
PARENTHETICAL = re.compile(r",\s+(?:who|which|whose|also|now|then|spun\s+off|founded|set\s+up|established|"
                           r"launched|listed|based|owned|backed|valued|formerly|once)\b[^;]*?,(?=\s+(?:and\s+)?[A-Za-z])"
                           r"|,\s+(?:the|a|an)\s+[a-z][^,;]{0,80}?,(?=\s+[a-z])")
ATTRIBUTIVE_BEFORE = re.compile(r"(?:\b(?:a|an)|\d[\d,.]*)\s+$", re.IGNORECASE)
ATTRIBUTIVE_AFTER = re.compile(r"^\s+(?!(?:and|or|to|in|on|for|with|by|from|of|at|as|is|are|was|were|has|have|"
                               r"had|will|would|said|says|also|which|who|that|each|itself|its|did|does)\b)[a-z][a-z-]*[a-df-z]\b")
PREPOSITIONS = ("with", "between", "from", "by", "on", "to", "into", "of", "against", "in", "for", "among")


def parentheticals(doc: Doc, start: int, end: int) -> list[tuple[int, int]]:
    """Spans of ", who ... ," asides between start and end."""
    out = []
    for m in PARENTHETICAL.finditer(doc.text, start):
        if not (m.start() < end and m.end() <= end + 1):
            continue
        # A descriptive aside (", the consumer-lending platform ...,") must follow a name.
        if re.match(r",\s+(?:the|a|an)\s", m.group(0)) and not any(x.end == m.start() for x in doc.mentions):
            continue
        out.append(m.span())
    return out


def clause_start(doc: Doc, sent_start: int, pos: int) -> int:
    start = sent_start
    asides = parentheticals(doc, sent_start, pos)
    for m in CLAUSE_BREAK.finditer(doc.text, sent_start, pos):
        if any(a <= m.start() < b for a, b in asides):
            continue
        start = m.end()
    return start


def clause_end(doc: Doc, pos: int, sent_end: int) -> int:
    m = CLAUSE_BREAK.search(doc.text, pos, sent_end)
    return m.start() if m else sent_end


def attributive(doc: Doc, m: Mention) -> bool:
    """A name used as a modifier of a noun: "a Hong Kong listing", "5,000 Hong Kong restaurants"."""
    before = doc.text[max(0, m.start - 12):m.start]
    return bool(ATTRIBUTIVE_BEFORE.search(before) and ATTRIBUTIVE_AFTER.match(doc.text[m.end:m.end + 30])
                and doc.text[m.start:m.start + 4].lower() != "the ")


def eligible(doc: Doc, start: int, end: int) -> list[Mention]:
    """Mentions that can be participants: not modifiers of another actor, not mere locations."""
    return [m for m in doc.mentions if m.start >= start and m.end <= end and not m.modifier
            and not m.location and not attributive(doc, m) and not _acronym_repeat(doc, m)]


def _without_asides(doc: Doc, start: int, end: int) -> str:
    text = doc.text[start:end]
    for a, b in sorted(parentheticals(doc, start, end), reverse=True):
        text = text[: a - start] + "," + text[b - start:]
    return ACRONYM.sub("", text)


def _acronym_repeat(doc: Doc, m: Mention) -> bool:
    """"(NDRC)" right after "National Development and Reform Commission" repeats the same actor."""
    if doc.text[max(0, m.start - 1):m.start] != "(":
        return False
    return any(x.actor_id == m.actor_id and re.fullmatch(r"\s*\(", doc.text[x.end:m.start])
               for x in doc.mentions if x.end <= m.start)


def group_from(doc: Doc, ms: list[Mention], first: int) -> list[Mention]:
    """The coordinated group starting at ms[first]: "X, Y and Z", "X and southern hub Y"."""
    group = [ms[first]]
    asides = parentheticals(doc, ms[first].end, doc.sentences[ms[first].sentence].end)
    for nxt in ms[first + 1:]:
        if any(a <= nxt.start < b for a, b in asides):
            continue  # a name inside an aside ("X, the platform spun off from Y in 2018, ...")
        last = group[-1]
        if nxt.start == last.start and nxt.end == last.end:
            group.append(nxt)  # one phrase standing for several people ("the business leaders")
            continue
        between = _without_asides(doc, last.end, nxt.start)
        if COORD.match(between) and not CLAUSE_BREAK.search(between):
            group.append(nxt)
        else:
            break
    return group


def subject_group(doc: Doc, sent_idx: int, start: int, trig_start: int) -> list[Mention]:
    asides = parentheticals(doc, start, trig_start)
    ms = [m for m in eligible(doc, start, trig_start) if not any(a <= m.start < b for a, b in asides)]
    if ms:
        return group_from(doc, ms, 0)
    if re.search(r",\s+who$", doc.text[max(0, start - 8):start]):
        # "X, who stepped down ...": the relative pronoun stands for the name before it.
        head = [m for m in eligible(doc, max(0, start - 200), start)
                if re.fullmatch(r",\s+who", doc.text[m.end:start])]
        if head:
            return [head[-1]]
    counted = _counted_reference(doc, sent_idx, start, trig_start)
    if counted:
        return counted
    pron = [p for p in PRONOUN.finditer(doc.text, start, trig_start)
            if not EVENT_ANAPHORA.match(doc.text, p.end())]
    if pron:
        p = pron[0]
        word = p.group(1).lower()
        types = ("person",) if word in ("he", "she", "his", "her") else ("company", "agency", "government", "party_body", "group")
        target = subject_of_recent(doc, p.start(), types, sent_idx) or nearest_actor(
            doc, p.start(), types, window=1, skip_modifiers=True)
        if target is not None:
            m = doc.add_mention(Mention(p.start(), p.end(), p.group(1), target.actor_id, "coreference",
                                        "coreference.pronoun", sent_idx))
            return [m]
    return []


NUMBERS = {"two": 2, "both": 2, "three": 3, "four": 4, "five": 5, "six": 6}
COUNTED = re.compile(r"\b(?:(?:all|the|All|The)\s+)?(two|three|four|five|six|both|Both)\s+(?:of\s+the\s+)?"
                     r"(companies|firms|platforms|groups|regulators|agencies|cities|governments)\b")


def _counted_reference(doc: Doc, sent_idx: int, start: int, end: int) -> list[Mention]:
    """"All three companies": the last group of exactly that many actors of the kind, named in the
    previous four sentences."""
    m = COUNTED.search(doc.text, start, end)
    if not m:
        return []
    n = NUMBERS[m.group(1).lower()]
    kind = {"companies": "company", "firms": "company", "platforms": "company", "groups": "company",
            "regulators": "agency", "agencies": "agency", "cities": "government",
            "governments": "government"}[m.group(2)]
    for idx in range(sent_idx - 1, sent_idx - 5, -1):
        if idx < 0:
            continue
        sent = doc.sentences[idx]
        ms = [x for x in eligible(doc, sent.start, sent.end)
              if doc.actors.get(x.actor_id, {}).get("actor_type") == kind]
        for i in range(len(ms)):
            group = group_from(doc, ms, i)
            if len(group) == n:
                return [doc.add_mention(Mention(m.start(), m.end(), m.group(0), x.actor_id, "coreference",
                                                "coreference.counted", sent_idx)) for x in group]
    return []


def last_group(doc: Doc, start: int, end: int) -> list[Mention]:
    """The coordinated group that ends closest before ``end`` ("... and Ant Group was hit with")."""
    ms = eligible(doc, start, end)
    for i in range(len(ms)):
        group = group_from(doc, ms, i)
        if group[-1] is ms[-1]:
            return group
    return []


def subject_of_recent(doc: Doc, before: int, types: tuple[str, ...], sent_idx: int) -> Mention | None:
    """For "it"/"he": the first actor of a fitting type named in this sentence before the pronoun,
    else in the previous sentence (news style keeps the subject as the topic)."""
    for idx in (sent_idx, sent_idx - 1):
        if idx < 0:
            continue
        sent = doc.sentences[idx]
        end = before if idx == sent_idx else sent.end
        for m in eligible(doc, sent.start, end):
            if doc.actors.get(m.actor_id, {}).get("actor_type") in types:
                return m
    return None


INCLUDING = re.compile(r"[^,.;]{0,40}?,\s+(?:including|among\s+them|such\s+as)\s+")
DEAL_OF = re.compile(r"(?:’s|'s)\s+(?:proposed\s+|planned\s+|\$?[\d.,]+\s*(?:billion|million|bn|m)?\s+)?"
                     r"(?:acquisition|takeover|purchase|merger|buyout|investment)\s+(?:of|in|with)\s+")
OBJECT_TAIL = re.compile(r"(?:(?:the|a|an)\s+)?(?:[a-z][\w-]*\s+){0,3}")
OBJECT_PRONOUN = re.compile(r"\s+(it|them)\b")


def object_group(doc: Doc, trig_end: int, end: int, sent_idx: int | None = None,
                 exclude: tuple[str, ...] = ()) -> list[Mention]:
    ms = eligible(doc, trig_end, end)
    if ms and OBJECT_GAP.match(doc.text[trig_end:ms[0].start]):
        group = group_from(doc, ms, 0)
        # "summoned executives of the company on Monday, including chief executive X": X too.
        inc = INCLUDING.match(doc.text, group[-1].end)
        if inc and inc.end() < end:
            more = [m for m in ms if m.start >= inc.end()]
            if more and OBJECT_GAP.match(doc.text[inc.end():more[0].start]) is not None:
                group = group + group_from(doc, more, 0)
        # "approved Tencent's acquisition of Ximalaya": the other side of the deal is a target too.
        deal = DEAL_OF.match(doc.text, group[-1].end)
        if deal:
            rest = [m for m in ms if m.start >= deal.end()]
            if rest and rest[0].start - deal.end() < 40 and OBJECT_TAIL.fullmatch(doc.text[deal.end():rest[0].start]):
                group = group + group_from(doc, rest, 0)
        return group
    pm = OBJECT_PRONOUN.match(doc.text, trig_end)
    if pm and sent_idx is not None:
        # "barred it from ...": the organisation named last before the act, other than the actor.
        start = doc.sentences[max(0, sent_idx - 1)].start
        before = [m for m in eligible(doc, start, trig_end - len(pm.group(0)) + 1)
                  if doc.actors.get(m.actor_id, {}).get("actor_type") in ("company", "agency", "government")
                  and m.actor_id not in exclude]
        if before:
            target = before[-1]
            return [doc.add_mention(Mention(pm.start(1), pm.end(1), pm.group(1), target.actor_id,
                                            "coreference", "coreference.pronoun", sent_idx))]
    return []


@lru_cache(maxsize=256)
def _prep_regex(preps: frozenset[str]) -> re.Pattern[str]:
    words = "|".join(sorted(set(PREPOSITIONS) | set(preps), key=len, reverse=True))
    return re.compile(rf"(?<![\w-])({words})\s")


def prep_groups(doc: Doc, trig_end: int, end: int,
                preps: dict[str, str]) -> list[tuple[str, str, list[Mention]]]:
    """(preposition, role, group) for each preposition of the rule found after the trigger."""
    if not preps:
        return []
    rx = _prep_regex(frozenset(preps))
    found = [f for f in rx.finditer(doc.text, trig_end, end)
             if not any(x.start < f.start() < x.end for x in doc.mentions)]  # "of" in "Bank of China"
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
        if preps[prep] == "location":
            ms = [m for m in doc.mentions if m.start >= pm.end() and m.end <= stop and not m.modifier]
        if not ms:
            continue
        gap = doc.text[pm.end():ms[0].start]
        if len(gap.split()) > 8:
            continue
        out.append((prep, preps[prep], group_from(doc, ms, 0)))
    return out
