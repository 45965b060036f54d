"""One article in, its rows out: the stages of ``stages.STAGES`` in order, then the rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .. import timing
from ..contract.vocab import CAMEO_PREFIX
from ..ids import content_id
from ..seeds import Article
from .acts import distinct_amounts
from .event_model import Event
from .events import event_codes, summary
from .fx import in_usd
from .grammar import Grammar
from .model import Doc
from .participants import attributive, clause_end, clause_start, fixed_mentions
from .pipeline_rows import article_row
from .stages import PHASES, STAGES

if TYPE_CHECKING:
    from ..ruleset import RuleSet

PER_ARTICLE_TABLES = ("mentions", "events", "event_mentions", "event_participants", "affiliations", "amounts")


@dataclass
class ArticleResult:
    article_row: dict[str, Any]
    rows: dict[str, list[dict[str, Any]]]
    actors: dict[str, dict[str, Any]] = field(default_factory=dict)
    aliases: set[tuple[str, str]] = field(default_factory=set)
    trace: list[dict[str, Any]] = field(default_factory=list)
    sentences: list[tuple[int, int]] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage, when timing is on


class Extractor:
    """Holds the compiled rules; ``extract`` is a pure function of an article."""

    def __init__(self, rules: RuleSet) -> None:
        self.rules = rules

    def run(self, article: Article) -> Doc:
        """Run every stage of ``stages.STAGES`` in order over the article; the working state."""
        doc = Doc(article.article_id, article.text, article.published, (),
                  title=str(article.meta.get("title", "")), curated_dates=article.curated_dates)
        if timing.ON:
            for stage in STAGES:
                timing.enter(PHASES.get(stage.name, "matching"))
                try:
                    stage.run(doc, self.rules)
                finally:
                    timing.leave()
            return doc
        for stage in STAGES:
            stage.run(doc, self.rules)
        return doc

    def analyse(self, article: Article) -> tuple[Doc, list[Event]]:
        doc = self.run(article)
        return doc, doc.events

    def process(self, article: Article) -> tuple[Doc, ArticleResult]:
        """The working state and the rows: what ``explain`` shows and ``build`` writes."""
        doc = self.run(article)
        assert doc.body is not None  # the body stage runs first
        return doc, assemble(self.rules, article, doc, doc.events, doc.body.start, doc.body.end)

    def extract(self, article: Article) -> ArticleResult:
        return self.process(article)[1]


@timing.timed("rows")
def assemble(rules: RuleSet, article: Article, doc: Doc, events: list[Event], body_start: int,
             body_end: int) -> ArticleResult:
    aid = article.article_id
    participants = {a for ev in events for a, _, _ in ev.participants}
    related = {x for a in doc.affiliations for x in (a.subject_id, a.object_id)}
    places = _places_only(doc, rules.grammar, participants | related)
    gaz_actors = rules.gazetteer.actors

    def taking_part_only(actor_id: str) -> bool:
        kind = gaz_actors[actor_id].kind if actor_id in gaz_actors else None
        return doc.actors[actor_id]["actor_type"] == "group" or kind == "product"

    taking_part = participants | related
    keep = [m for m in doc.mentions
            if (not taking_part_only(m.actor_id) or m.actor_id in taking_part)
            and m.actor_id not in places]
    mention_ids: dict[int, str] = {}
    mentions = []
    for m in keep:
        mid = content_id("m", aid, m.start, m.end, m.actor_id)
        mention_ids[id(m)] = mid
        mentions.append({"mention_id": mid, "article_id": aid, "actor_id": m.actor_id,
                         "char_start": m.start, "char_end": m.end, "text": m.text,
                         "resolution": m.resolution, "rule_id": m.rule_id})
    kept_ids = {m.actor_id for m in keep}
    actors = {k: v for k, v in doc.actors.items() if k in kept_ids}
    ev_rows, part_rows = _event_rows(rules, aid, doc, events, mention_ids)
    amounts = in_usd(rules.exchange_rates, distinct_amounts(doc, _amount_rows(rules, aid, doc, events, ev_rows)),
                     [r for r, _ in ev_rows], article.meta["published"])
    back = rules.grammar.settings.affiliation_date_sentences
    affiliations = _affiliation_rows(aid, doc, events, actors, back)
    check_posts(doc, affiliations, rules.gazetteer, rules.grammar.past_qualifiers)
    aliases = set()
    gaz = rules.gazetteer.actors
    for actor_id in actors:
        if actor_id in gaz:
            aliases |= {(actor_id, a) for a in gaz[actor_id].aliases}
    for m in keep:
        if (m.resolution in ("name", "alias", "title") and m.text != actors[m.actor_id]["name"]
                and m.rule_id != "title.org-adjective"):
            aliases.add((m.actor_id, m.text))
    return ArticleResult(
        article_row=article_row(article, body_start, body_end),
        rows={"mentions": mentions, "events": [r for r, _ in ev_rows],
              "event_mentions": _event_mention_rows(aid, doc, ev_rows), "event_participants": part_rows,
              "affiliations": affiliations, "amounts": amounts},
        actors=actors, aliases=aliases, trace=doc.trace,
        sentences=[(s.start, s.end) for s in doc.sentences],
    )


def check_posts(doc: Doc, affiliations: list[dict[str, Any]], gaz: Any,
                past_qualifiers: tuple[str, ...]) -> None:
    """Compare each stated post with the curated posts and their dates: a post the curated record
    says was not held then is flagged in the trace (``explain`` shows it). Rows are never changed."""
    from ..dates import edtf_bounds

    for a in affiliations:
        person = gaz.actors.get(a["subject_id"])
        if (a["relation"] != "position" or person is None or not person.posts
                or a["qualifier"] in past_qualifiers):
            continue  # a past post is not checked against the date of the article
        posts = [p for p in person.posts if p.org == a["object_id"]]
        lo, hi = edtf_bounds(a["valid"])
        sent = doc.sentence_of(a["char_start"])
        if not posts:
            doc.note(sent, "gazetteer.post-check", f"{a['subject_id']} at {a['object_id']}: no curated post there")
            continue
        if not any(_held(p, lo, hi) for p in posts):
            spans = ", ".join(f"{p.title} {p.start or '?'}–{p.end or 'now'}" for p in posts)
            doc.note(sent, "gazetteer.post-check",
                     f"contradiction: {a['subject_id']} {a['title']} of {a['object_id']} in {a['valid']}, "
                     f"but the curated posts there are {spans}")


def _held(post: Any, lo: Any, hi: Any) -> bool:
    """Whether a curated post's dates overlap the bounds [lo, hi] (open ends overlap anything)."""
    from ..dates import edtf_bounds

    start = edtf_bounds(post.start)[0] if post.start else None
    end = edtf_bounds(post.end)[1] if post.end else None
    return (start is None or hi is None or start <= hi) and (end is None or lo is None or lo <= end)


def _places_only(doc: Doc, g: Grammar, acting: set[str]) -> set[str]:
    """Governments named only as places ("listed in Hong Kong", "a Hong Kong listing"): they take no
    part in an event or relation, so they are not recorded as actors."""
    seen: dict[str, bool] = {}
    for m in doc.mentions:
        if doc.actors[m.actor_id]["actor_type"] != "government":
            continue
        place = m.location or attributive(doc, g, m)
        seen[m.actor_id] = seen.get(m.actor_id, True) and place
    return {a for a, only_place in seen.items() if only_place and a not in acting}


def _event_rows(rules: RuleSet, aid: str, doc: Doc, events: list[Event],
                mention_ids: dict[int, str]) -> tuple[list[tuple[dict[str, Any], Event]], list[dict[str, Any]]]:
    names = {k: v["name"] for k, v in doc.actors.items()}
    rows, parts = [], []
    for ev in events:
        sent = doc.sentences[ev.sentence]
        eid = content_id("ev", aid, ev.trig_start, ev.trig_end, ev.event_type, ev.split)
        cameo, plover = event_codes(ev, rules.events.types[ev.event_type])
        w = ev.when
        rows.append(({
            "event_id": eid, "article_id": aid, "event_type": ev.event_type,
            "cameo_code": CAMEO_PREFIX + cameo if cameo else None,
            "plover_type": plover, "modality": ev.modality, "date": w.edtf, "date_start": w.lo,
            "date_end": w.hi, "date_precision": w.precision, "date_basis": ev.date_basis,
            "date_text": ev.date_text, "date_source": ev.date_source, "location": ev.location, "summary": summary(ev, names),
            "char_start": sent.start, "char_end": sent.end, "evidence": sent.text,
            "trigger": doc.text[ev.trig_start:ev.trig_end], "trigger_start": ev.trig_start,
            "trigger_end": ev.trig_end, "rule_id": ev.rule.rule_id}, ev))
        seen = set()
        for actor_id, role, m in ev.participants:
            if (actor_id, role) in seen:
                continue
            seen.add((actor_id, role))
            parts.append({"event_id": eid, "actor_id": actor_id, "role": role,
                          "mention_id": mention_ids.get(id(m)), "article_id": aid,
                          "char_start": m.start, "char_end": m.end,
                          "rule_id": ev.participant_rules.get((actor_id, role), ev.rule.rule_id)})
    return rows, parts


def _event_mention_rows(aid: str, doc: Doc, ev_rows: list[tuple[dict[str, Any], Event]]) -> list[dict[str, Any]]:
    """Every sentence telling each event: the event's own (primary) and those merged into it."""
    out = []
    for row, ev in ev_rows:
        for m in (ev, *ev.mentions):
            sent = doc.sentences[m.sentence]
            out.append({"event_id": row["event_id"], "article_id": aid, "char_start": sent.start,
                        "char_end": sent.end, "evidence": sent.text,
                        "trigger": doc.text[m.trig_start:m.trig_end], "trigger_start": m.trig_start,
                        "trigger_end": m.trig_end, "primary": m is ev, "rule_id": m.rule.rule_id})
    return out


@timing.timed("amounts")
def _amount_rows(rules: RuleSet, aid: str, doc: Doc, events: list[Event],
                 ev_rows: list[tuple[dict[str, Any], Event]]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    by_sentence: dict[int, list[tuple[dict[str, Any], Event]]] = {}
    for r, e in ev_rows:
        for m in (e, *e.mentions):
            by_sentence.setdefault(m.sentence, []).append((r, m))
    with fixed_mentions(doc, rules.grammar):  # each amount asks for the clauses of the events
        for sent in doc.sentences:
            found = rules.money.find(doc.text, sent.start, sent.end)
            here = by_sentence.get(sent.index, [])
            ids: list[str] = []
            for money in found:
                amount_id = content_id("am", aid, money.start, money.end)
                event_id = None
                if money.equivalent_of is not None:
                    event_id = out[-(len(ids) - money.equivalent_of)]["event_id"]
                elif here:
                    # The event of the amount's clause; failing that, the nearest trigger in the sentence.
                    same = [(r, e) for r, e in here if _in_clause(doc, rules.grammar, e, money.start)]
                    row, _ = min(same or here, key=lambda re_: min(abs(re_[1].trig_start - money.end),
                                                                   abs(money.start - re_[1].trig_end)))
                    event_id = row["event_id"]
                out.append({"amount_id": amount_id, "article_id": aid, "event_id": event_id,
                            "value": money.value, "currency": money.currency, "approximate": money.approximate,
                            "equivalent_of": ids[money.equivalent_of] if money.equivalent_of is not None else None,
                            "text": money.text, "char_start": money.start, "char_end": money.end,
                            "rule_id": money.rule_id})
                ids.append(amount_id)
                doc.note(sent.index, money.rule_id, f"amount {money.text!r} = {money.value:g} {money.currency}")
    return out


def _in_clause(doc: Doc, g: Grammar, ev: Event, pos: int) -> bool:
    sent = doc.sentences[ev.sentence]
    return clause_start(doc, g, sent.start, ev.trig_start) <= pos < clause_end(doc, g, ev.trig_end, sent.end)


def _affiliation_rows(aid: str, doc: Doc, events: list[Event], actors: dict[str, Any],
                      back: int) -> list[dict[str, Any]]:
    """The affiliation rows, each dated by an asserted event of its sentence or, when its subject
    takes part, of up to ``back`` sentences before; else by the publication date."""
    out = []
    seen: set[tuple[int, int, str, str, str]] = set()
    told = [e for act in events for e in (act, *act.mentions)
            if e.when is not None and e.date_basis != "unknown" and e.modality == "asserted"]
    by_sentence: dict[int, list[int]] = {}
    for i, e in enumerate(told):
        by_sentence.setdefault(e.sentence, []).append(i)
    for a in doc.affiliations:
        if a.subject_id not in actors or a.object_id not in actors:
            continue
        key = (a.start, a.end, a.subject_id, a.relation, a.object_id)
        if key in seen:
            continue  # the same words found by two passes
        seen.add(key)
        near = sorted(i for s in range(a.sentence - back, a.sentence + 1) for i in by_sentence.get(s, ()))
        dated = [told[i] for i in near if told[i].sentence == a.sentence
                 or a.subject_id in {x for x, _, _ in told[i].participants}]
        dated.sort(key=lambda e: (a.subject_id not in {x for x, _, _ in e.participants}, -e.sentence))
        valid = dated[0].when.edtf if dated else doc.published
        out.append({"affiliation_id": content_id("af", aid, a.start, a.end, a.subject_id, a.relation, a.object_id),
                    "article_id": aid, "subject_id": a.subject_id, "relation": a.relation,
                    "object_id": a.object_id, "title": a.title, "qualifier": a.qualifier, "valid": valid,
                    "char_start": a.start, "char_end": a.end, "evidence": doc.text[a.start:a.end],
                    "rule_id": a.rule_id})
    return out
