"""Events from curated triggers (rules/triggers.yaml): participants, modality, dates, amounts."""

from __future__ import annotations

import datetime as dt
import re

from ..seed_notes import CuratedEventDate
from .dates import DateExpr, When
from .event_dates import apply_curated, date_event
from .event_model import AttachRule, Event, EventRules, TriggerRule, TypeInfo
from .grammar import Grammar
from .ingest import Sentence
from .model import Doc
from .participants import (
    clause_end,
    clause_start,
    counted_members,
    fixed_mentions,
    last_group,
    object_group,
    prep_groups,
    speaker,
    subject_group,
)
from .prefilter import worth_trying
from .scanning import scanned


def find_events(doc: Doc, rules: EventRules, g: Grammar, curated: tuple[CuratedEventDate, ...],
                name_of: dict[str, str]) -> list[Event]:
    with fixed_mentions(doc, g):  # the event stage adds no mention
        return _find_events(doc, rules, g, curated, name_of)


def _find_events(doc: Doc, rules: EventRules, g: Grammar, curated: tuple[CuratedEventDate, ...],
                 name_of: dict[str, str]) -> list[Event]:
    pub = dt.date.fromisoformat(doc.published[:10]) if len(doc.published) >= 10 else None
    pub = pub or _edtf_start(doc.published)
    events: list[Event] = []
    ref: When | None = None
    # The resolved date expressions of the last sentence that has some (the narrative's context),
    # as of the sentences before those in `unread`: a sentence's dates serve an event of its own
    # or, when they are the last before it, an event of a later sentence that asks for them
    # (event_dates.date_event), so they are read only then.
    last_exprs: list[DateExpr] = []
    unread: list[Sentence] = []

    def dates_of(sent: Sentence) -> list[DateExpr]:
        patterns = worth_trying(doc, sent.index, rules.dates.patterns, _second)
        return rules.dates.find(doc.text, sent.start, sent.end, pub, patterns)

    def context() -> list[DateExpr]:
        nonlocal last_exprs
        for before in reversed(unread):  # the latest sentence with resolved dates sets it
            resolved = [x for x in dates_of(before) if x.when is not None]
            if resolved:
                last_exprs = resolved
                break
        unread.clear()
        return last_exprs

    for sent in doc.sentences:
        if sent.index in doc.headline:
            continue
        found = _sentence_events(doc, rules, g, sent, worth_trying(doc, sent.index, rules.triggers, _regex))
        _attachments(doc, worth_trying(doc, sent.index, rules.attach, _regex), g, sent, found, events)
        found = [e for e in found if e.participants and _source_fits(doc, e, rules.types[e.event_type])]
        for ev in found:
            _post_organisation(doc, ev, rules.types[ev.event_type])
        found = _anaphora(doc, g, found, events, sent.index)
        if not found:
            unread.append(sent)
            continue
        exprs = dates_of(sent)
        prev = [e for e in since(events, sent.index - g.settings.context_date_sentences) if e.sentence < sent.index]
        for ev in found:
            date_event(doc, g, ev, exprs, pub, ref, prev, sent.text, context)
        apply_curated(found, curated, name_of)
        events.extend(found)
        dated = [e for e in found if e.when is not None and e.when.lo is not None and e.when.hi is not None
                 and e.modality == "asserted"]
        if dated:
            ref = dated[0].when  # the sentence's main event sets the narrative time
        resolved = [x for x in exprs if x.when is not None]
        if resolved:  # the context from now on, whatever the sentences before held
            last_exprs = resolved
            unread.clear()
    return events


def _regex(rule: TriggerRule | AttachRule) -> re.Pattern[str]:
    return rule.regex


def _second(pair: tuple[str, re.Pattern[str]]) -> re.Pattern[str]:
    return pair[1]


def since(events: list[Event], first: int) -> list[Event]:
    """The events told from sentence ``first`` on (``events`` is in sentence order)."""
    i = len(events)
    while i > 0 and events[i - 1].sentence >= first:
        i -= 1
    return events[i:]


def _edtf_start(value: str) -> dt.date:
    from ..dates import edtf_bounds

    lo, hi = edtf_bounds(value)
    return hi or lo or dt.date(1970, 1, 1)


def _matches(doc: Doc, triggers: list[TriggerRule], sent) -> list[tuple[TriggerRule, re.Match[str]]]:
    hits = []
    for rule in triggers:
        for m in scanned(rule.regex).finditer(doc.text, sent.start, sent.end):
            hits.append((rule, m))
    if not hits:
        return hits  # most sentences: no trigger
    hits.sort(key=lambda h: (-(h[1].end() - h[1].start()), h[1].start()))
    kept: list[tuple[TriggerRule, re.Match[str]]] = []
    for rule, m in hits:
        if kept and any(m.start() < k.end() and k.start() < m.end() and r.event_type == rule.event_type
                        for r, k in kept):
            continue  # the longer trigger of the same type wins
        if doc.inside(m.start()) or doc.inside(m.end()):
            continue  # trigger words inside a name
        kept.append((rule, m))
    return sorted(kept, key=lambda h: h[1].start())


def _sentence_events(doc: Doc, rules: EventRules, g: Grammar, sent, triggers: list[TriggerRule]) -> list[Event]:
    """The events of the sentence told by ``triggers`` (those of ``rules`` that can fire there)."""
    out: list[Event] = []
    matches = _matches(doc, triggers, sent)
    for rule, m in matches:
        c_start = clause_start(doc, g, sent.start, m.start())
        c_end = clause_end(doc, g, m.end(), sent.end)
        pre = doc.text[c_start:m.start()]
        if scanned(g.not_happened).search(pre):
            doc.note(sent.index, rule.rule_id, f"{m.group(0)!r} is denied or only possible: no event")
            continue
        # "was fined" is passive; "has been examining" is not.
        ing_form = bool(g.ing_form.match(m.group(0)))
        passive = rule.passive is not None and bool(scanned(g.passive_before).search(pre)) and not ing_form
        modality = rule.modality or ("planned" if scanned(g.planned_before).search(pre) else "asserted")
        if rule.event_type in g.purpose_types and g.purpose_before.search(pre):
            modality = "planned"  # "signed a deal to build a hub": the purpose, not yet done
        subj_role = (rule.passive or {}).get("subject") if passive else rule.subject
        preps = dict(rule.preps)
        if passive and rule.passive and "by" in rule.passive:
            preps["by"] = rule.passive["by"]
        groups = prep_groups(doc, g, m.end(), c_end, preps)
        symmetric = any(prep in g.symmetric_prepositions and role == "party" for prep, role, _ in groups)
        # "X fined Y and Z was hit with a penalty": after an earlier trigger in the clause, the
        # subject is the name closest before this one.
        wants_subject = bool(subj_role and subj_role != "none" and not symmetric)
        earlier = [k.end() for _, k in matches if c_start <= k.end() <= m.start() and k is not m]
        subjects = last_group(doc, g, max(earlier), m.start()) if earlier and wants_subject else []
        if subjects and not g.aux_only.fullmatch(doc.text[subjects[-1].end:m.start()]):
            subjects = []  # "thanked X ... and praised": the subject is shared, X is an object
        if not subjects and wants_subject:
            subjects = subject_group(doc, g, sent.index, c_start, m.start())
        if not subjects and wants_subject:
            subjects = counted_members(doc, g, c_start, m.start(), m.end(), sent.end)
        if not subjects and wants_subject:
            subjects = _shared_subject(doc, g, out, m.start())
        if not subjects and wants_subject and rule.event_type in g.speaker_types:
            # "The government supports X, Vice Premier Y said": the speaker states the act.
            subjects = speaker(doc, g, m.end(), sent.end)
        objects = (object_group(doc, g, m.end(), c_end, sent.index, tuple(x.actor_id for x in subjects))
                   if rule.object and not passive else [])
        location = None
        for _, role, group in groups:
            if role == "location":
                location = doc.actors[group[0].actor_id]["name"]
        loc = [x for x in doc.starting_in(sent.start, sent.end) if x.location and (c_start <= x.start < c_end or (
            0 <= x.start - sent.start < g.settings.sentence_opening_chars
            and g.opening_place_after.match(doc.text, x.end)
            and clause_start(doc, g, sent.start, x.start) == sent.start))]
        if location is None and loc:
            location = doc.actors[loc[0].actor_id]["name"]
        each = rule.each and len(subjects) > 1 and g.each.search(doc.text[subjects[-1].end:m.start()])
        subject_sets = [[s] for s in subjects] if each else [subjects]
        before = doc.text[max(0, m.start() - g.settings.participle_comma_chars):m.start()]
        participle = bool(g.participle_comma.search(before)) and ing_form
        for i, subj in enumerate(subject_sets):
            ev = Event(rule.event_type, rule, sent.index, m.start(), m.end(), modality, location=location,
                       split=i if each else -1, participle=participle)
            for x in subj:
                ev.add(x.actor_id, subj_role or "party", x)
            for x in objects:
                ev.add(x.actor_id, rule.object or "target", x)
            for _, role, group in groups:
                if role != "location":
                    for x in group:
                        ev.add(x.actor_id, role, x)
            _the_post(doc, g, ev, out)
            out.append(ev)
        doc.note(sent.index, rule.rule_id, f"trigger {m.group(0)!r}")
    return _merge(doc, g, out)


def _shared_subject(doc: Doc, g: Grammar, out: list[Event], trig_start: int) -> list:
    """"X welcomed A ... and thanked B": a verb joined by "and" to the act before it, with no
    subject of its own, shares that act's subject (grammar.yaml: shared_subject_before)."""
    prev = out[-1] if out else None
    if prev is None or prev.trig_end > trig_start or not g.shared_subject_before.search(
            doc.text[prev.trig_end:trig_start]):
        return []
    return [x for _, _, x in prev.participants if x.end <= prev.trig_start]


def _the_post(doc: Doc, g: Grammar, ev: Event, out: list[Event]) -> None:
    """"X appointed Y as CEO as Z stepped down from the post": the organisations of the act of
    the same type before it in the sentence are the organisation of "the post" (its target)."""
    if not g.the_post.match(doc.text, ev.trig_end):
        return
    prev = next((e for e in reversed(out) if e.event_type == ev.event_type), None)
    for actor_id, _, mention in (prev.participants if prev else []):
        if doc.actors.get(actor_id, {}).get("actor_type") not in ("person", None):
            ev.add(actor_id, "target", mention)


def _post_organisation(doc: Doc, ev: Event, info: TypeInfo) -> None:
    """"X, the chairman and CEO of Y, will relinquish his position": for types with a
    ``post_organisation`` role, the organisation of a post that the sentence states for a
    participant joins the event, named by its mention in the sentence."""
    if info.post_organisation is None:
        return
    people = {a for a, _, _ in ev.participants}
    known = set(people)
    here = doc.of_sentence(ev.sentence)
    for aff in doc.affiliations_of(ev.sentence):
        if (aff.relation == "position" and aff.subject_id in people
                and aff.object_id not in known):
            mention = next((m for m in here if m.actor_id == aff.object_id), None)
            if mention is not None:
                ev.add(aff.object_id, info.post_organisation, mention, "type.post-organisation")
                known.add(aff.object_id)


def _source_fits(doc: Doc, ev: Event, info: TypeInfo) -> bool:
    """Acts only an authority performs need a source of an authority's type, when one is named."""
    sources = [a for a, role, _ in ev.participants if role == "source"]
    if not info.authorities or not sources:
        return True
    if any(doc.actors.get(a, {}).get("actor_type") in info.authorities for a in sources):
        return True
    doc.note(ev.sentence, ev.rule.rule_id, f"{ev.event_type} dropped: source {sources} is not an authority")
    return False


def _anaphora(doc: Doc, g: Grammar, found: list[Event], earlier: list[Event], sent_idx: int) -> list[Event]:
    """"signed the agreement": a definite reference to an event already reported adds its
    participants to that event instead of making a new one."""
    out = []
    for ev in found:
        start = max(doc.sentences[ev.sentence].start, ev.trig_start - g.settings.anaphora_chars)
        words = doc.text[start:ev.trig_end]
        prior = [e for e in since(earlier, sent_idx - g.settings.anaphora_sentences)
                 if e.event_type == ev.event_type]
        if g.definite.search(words) and prior:
            for actor_id, role, mention in ev.participants:
                prior[-1].add(actor_id, role, mention, ev.rule.rule_id)
            doc.note(sent_idx, ev.rule.rule_id, f"{words!r} refers back to the {ev.event_type} event")
            continue
        out.append(ev)
    return out


def _merge(doc: Doc, g: Grammar, events: list[Event]) -> list[Event]:
    """One event per type and sentence when triggers describe the same act
    ("thanked ... and praised", "summoned ... for a meeting"); for the types of
    ``one_per_person``, not when they name different people."""
    out: list[Event] = []
    for ev in events:
        twin = next((o for o in out if o.event_type == ev.event_type and o.split == -1 and ev.split == -1
                     and (_compatible(o, ev) or ev.participle) and not _other_people(doc, g, o, ev)), None)
        if twin is None:
            out.append(ev)
            continue
        for actor_id, role, mention in ev.participants:
            twin.add(actor_id, role, mention, ev.rule.rule_id)
    return out


def _other_people(doc: Doc, g: Grammar, a: Event, b: Event) -> bool:
    if a.event_type not in g.one_per_person:
        return False
    people = [{x for x, _, _ in e.participants if doc.actors.get(x, {}).get("actor_type") == "person"}
              for e in (a, b)]
    return bool(people[0] and people[1] and not people[0] & people[1])


def _compatible(a: Event, b: Event) -> bool:
    ids_a = {x for x, _, _ in a.participants}
    ids_b = {x for x, _, _ in b.participants}
    return not ids_a or not ids_b or bool(ids_a & ids_b)


def _attachments(doc: Doc, attach: list[AttachRule], g: Grammar, sent, found: list[Event],
                 earlier: list[Event]) -> None:
    for rule in attach:
        for m in scanned(rule.regex).finditer(doc.text, sent.start, sent.end):
            if rule.side == "subject":
                c_start = clause_start(doc, g, sent.start, m.start())
                group = subject_group(doc, g, sent.index, c_start, m.start())
                along = g.along_with.match(doc.text, m.end())
                if along:  # "X attended the symposium, along with officials from Y and Z"
                    end = clause_end(doc, g, along.end(), sent.end)
                    group = group + object_group(doc, g, along.end() - 1, end)
            else:
                group = object_group(doc, g, m.end(), clause_end(doc, g, m.end(), sent.end))
            if not group:
                continue
            here = [e for e in found if e.trig_start < m.start() and e.event_type in rule.types]
            back = [e for e in since(earlier, sent.index - g.settings.attach_sentences)
                    if e.event_type in rule.types]
            target = (here or back or [None])[-1]
            if target is None:
                continue
            for x in group:
                target.add(x.actor_id, rule.role, x, f"attach.{rule.rule_id.removeprefix('attach.')}")
            doc.note(sent.index, rule.rule_id, f"{len(group)} attendee(s) joined the {target.event_type} event")


def event_codes(ev: Event, info: TypeInfo) -> tuple[str | None, str | None]:
    cameo = ev.rule.cameo or info.cameo
    if ev.modality == "planned" and info.planned_cameo:
        cameo = info.planned_cameo
    return cameo, ev.rule.plover or info.plover


def summary(ev: Event, names: dict[str, str]) -> str:
    by_role: dict[str, list[str]] = {}
    for actor_id, role, _ in ev.participants:
        by_role.setdefault(role, []).append(names.get(actor_id, actor_id))
    parts = [f"{role} {', '.join(v)}" for role, v in by_role.items()]
    label = ev.event_type.replace("_", " ")
    planned = " (planned)" if ev.modality == "planned" else ""
    date = ev.when.edtf if ev.when else "unknown date"
    return f"{label}{planned}: {'; '.join(parts)}; {date}"
