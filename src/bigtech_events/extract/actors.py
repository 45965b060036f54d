"""Actor mentions from the gazetteer (with disambiguation) and from organisation shapes."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..ids import slugify
from .gazetteer import Gazetteer, Match
from .lexicon import ActorCues
from .model import Doc, Mention
from .prefilter import worth_trying
from .scanning import scanned


@dataclass(frozen=True)
class ChoiceRule:
    rule_id: str
    actor_id: str
    before: re.Pattern[str] | None
    after: re.Pattern[str] | None


@dataclass(frozen=True)
class Disambiguation:
    form: str
    default: str
    rules: tuple[ChoiceRule, ...]


@dataclass(frozen=True)
class OrgPattern:
    rule_id: str
    actor_type: str
    regex: re.Pattern[str]
    name_group: int


def register_pattern_actor(doc: Doc, gaz: Gazetteer, name: str, actor_type: str) -> str:
    """The id of an actor found by a pattern (a title, a name shape, an organisation shape): the
    gazetteer's when it knows the name, else a slug of the name (made distinct by type)."""
    known = gaz.forms.get(name)
    actor_id = known[0] if known and len(known) == 1 else slugify(name)
    if actor_id in gaz.actors and gaz.actors[actor_id].actor_type == actor_type:
        doc.actors.setdefault(actor_id, gaz.actors[actor_id].row())
        return actor_id
    if actor_id in gaz.actors or doc.actors.get(actor_id, {}).get("actor_type", actor_type) != actor_type:
        actor_id = f"{actor_id}-{actor_type.replace('_', '-')}"
    doc.actors.setdefault(actor_id, {"actor_id": actor_id, "name": name, "actor_type": actor_type,
                                     "country": None, "description": None, "wikidata_id": None,
                                     "source": "pattern"})
    return actor_id


def choose(doc: Doc, start: int, end: int, ids: tuple[str, ...],
           disamb: dict[str, Disambiguation], form: str, cues: ActorCues) -> tuple[str, str] | None:
    """The actor a form refers to here, and the rule that chose it."""
    if len(ids) == 1:
        return ids[0], ""
    d = disamb.get(form)
    if d is None:
        return None
    before = doc.text[max(0, start - cues.before_chars):start]
    after = doc.text[end:end + cues.after_chars]
    for rule in d.rules:
        if rule.before is not None and not rule.before.search(before):
            continue
        if rule.after is not None and not rule.after.search(after):
            continue
        return rule.actor_id, rule.rule_id
    return d.default, f"disambiguation.{slugify(form)}-default"


def gazetteer_mentions(doc: Doc, gaz: Gazetteer, disamb: dict[str, Disambiguation], cues: ActorCues) -> None:
    for sent in doc.sentences:
        found = gaz.find(doc.text, sent.start, sent.end, cues.currency_marks)
        for i, m in enumerate(found):
            picked = choose(doc, m.start, m.end, m.actor_ids, disamb, m.form, cues)
            if picked is None:
                doc.note(sent.index, "gazetteer.ambiguous", f"{m.form!r} left unresolved: {m.actor_ids}")
                continue
            actor_id, rule = picked
            actor = gaz.actors[actor_id]
            resolution = "name" if m.form == actor.name else "alias"
            rule_id = rule or f"gazetteer.{resolution}"
            is_loc = actor.actor_type == "government" and (_named_as_place(doc, sent.start, m.start, m.end, cues)
                                                           or _in_region_name(doc.text, found, i, gaz))
            prev = doc.mentions[-1] if doc.mentions else None
            if (not is_loc and prev is not None and prev.location and actor.actor_type == "government"
                    and cues.place_list_joiner.fullmatch(doc.text, prev.end, m.start)):
                is_loc = True  # "in Zhejiang and Guangdong provinces"
            doc.add_mention(Mention(m.start, m.end, m.form, actor_id, resolution, rule_id,
                                    sent.index, location=is_loc))
            if actor_id not in doc.actors:
                doc.actors[actor_id] = actor.row()


def _in_region_name(text: str, found: list[Match], i: int, gaz: Gazetteer) -> bool:
    """"the Chengdu-Chongqing economic circle", "Beijing-Tianjin-Hebei": places inside one country
    joined by hyphens name a region; none of them acts."""
    def regional(m: Match) -> bool:
        return all(gaz.actors[a].actor_type == "government"
                   and any(rel == "part_of" for rel, _ in gaz.actors[a].relations) for a in m.actor_ids)

    def joined(a: Match, b: Match) -> bool:
        return b.start == a.end + 1 and text[a.end] in _HYPHENS and regional(a) and regional(b)

    return regional(found[i]) and (i > 0 and joined(found[i - 1], found[i])
                                   or i + 1 < len(found) and joined(found[i], found[i + 1]))


_HYPHENS = "-‐‑–"


def _named_as_place(doc: Doc, sent_start: int, start: int, end: int, cues: ActorCues) -> bool:
    """"in Beijing", "across Zhejiang": a place preposition right before, no possessive after, and
    no "officials in" before."""
    before = doc.text[max(sent_start, start - cues.place_context_chars):start]
    return (bool(cues.place_before.search(before[max(0, len(before) - cues.place_preposition_chars):]))
            and not cues.possessive_after.match(doc.text, end)
            and not cues.officials_before.search(before))


def company_units(doc: Doc, cues: ActorCues, gaz: Gazetteer) -> None:
    """"ByteDance China", "Tencent Cloud": a known company's name and a unit word name another company."""
    rx = cues.company_unit
    if rx is None:
        return
    for m in list(doc.mentions):
        if doc.actors.get(m.actor_id, {}).get("actor_type") != "company":
            continue
        sm = rx.match(doc.text, m.end)
        if not sm:
            continue
        name = doc.text[m.start:sm.end()]
        doc.mentions = [x for x in doc.mentions if not (x.start < sm.end() and m.start < x.end)]
        actor_id = register_pattern_actor(doc, gaz, name, "company")
        doc.add_mention(Mention(m.start, sm.end(), name, actor_id, "name", "organisation.company-unit",
                                m.sentence))


def extend_given_names(doc: Doc, cues: ActorCues, pinyin_word: re.Pattern[str] | None = None) -> None:
    """"John Lee Ka-chiu", "Eric Jing Xiandong": a Hong Kong or pinyin given name after a known
    person's Western-order name belongs to it."""
    for m in list(doc.mentions):
        if doc.actors.get(m.actor_id, {}).get("actor_type") != "person":
            continue
        g = cues.hong_kong_given_name.match(doc.text, m.end)
        if g is None and pinyin_word is not None and len(m.text.split()) == 2:
            g = pinyin_word.match(doc.text, m.end)
        if g and not doc.covered(g.start() + 1, g.end()) and _given_name_here(doc, m, g):
            doc.mentions.remove(m)
            doc.add_mention(Mention(m.start, g.end(), doc.text[m.start:g.end()], m.actor_id, "alias",
                                    "person.given-name", m.sentence))


def _given_name_here(doc: Doc, m: Mention, g: re.Match[str]) -> bool:
    """A given name follows on the same line, inside the sentence, and is not a word in capitals
    ("Xu Wei" then the line "DATE: ..." is no name "Xu Wei Date")."""
    word = doc.text[g.start():g.end()].strip()
    return ("\n" not in doc.text[m.end:g.end()] and g.end() <= doc.sentences[m.sentence].end
            and not word.replace("-", "").isupper())


def pattern_organisations(doc: Doc, patterns: list[OrgPattern], not_first: frozenset[str],
                          gaz: Gazetteer, cues: ActorCues) -> None:
    """Organisations that no list has, found by their shape ("X Holdings", "authorities in X")."""
    for sent in doc.sentences:
        for pat in worth_trying(doc, sent.index, patterns, lambda p: p.regex):
            for m in scanned(pat.regex).finditer(doc.text, sent.start, sent.end):
                s, e = m.span(pat.name_group)
                name = doc.text[s:e]
                first = name.split()[0]
                if first in not_first or name in gaz.forms and len(gaz.forms[name]) > 1:
                    continue
                inside = doc.overlapping(s, e)
                if any(x.start < s or x.end > e or (x.start, x.end) == (s, e) for x in inside):
                    continue  # overlaps a name that reaches outside the shape, or is that very name
                # A longer name that contains a known one wins: "JD Industrials" around "JD" is another
                # company; "Tencent Holdings Ltd" around "Tencent" is the same one in its legal form.
                if inside and inside[0].start == s and _only_legal_form(doc.text[inside[-1].end:e], cues):
                    same = inside[0]
                    doc.mentions = [x for x in doc.mentions if x not in inside]
                    doc.add_mention(Mention(s, e, name, same.actor_id, "alias", "organisation.legal-form",
                                            sent.index))
                    continue
                doc.mentions = [x for x in doc.mentions if x not in inside]
                if pat.actor_type == "company" and s == sent.start and len(name.split()) < 2:
                    continue
                known = gaz.forms.get(name)
                actor_id = known[0] if known and len(known) == 1 else slugify(name)
                if actor_id in gaz.actors:
                    doc.actors.setdefault(actor_id, gaz.actors[actor_id].row())
                else:
                    existing = doc.actors.get(actor_id)
                    if existing and existing["actor_type"] != pat.actor_type:
                        actor_id = f"{actor_id}-{pat.actor_type}"
                    doc.actors.setdefault(actor_id, {
                        "actor_id": actor_id, "name": name, "actor_type": pat.actor_type,
                        "country": None, "description": None, "wikidata_id": None,
                        "source": "pattern"})
                doc.add_mention(Mention(s, e, name, actor_id, "name", f"organisation.{pat.rule_id}",
                                        sent.index))


def _only_legal_form(rest: str, cues: ActorCues) -> bool:
    """Whether the words after a known name are only its legal form: " Ltd", ", Ltd.", and the
    full stop of an abbreviation the list spells without it ("...Group Co" + "., Ltd.")."""
    words = re.sub(r"^\.|,", "", rest)
    return bool(rest) and (not words or bool(cues.legal_form.fullmatch(words)))
