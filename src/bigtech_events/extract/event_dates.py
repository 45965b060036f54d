"""Dating events: the expression of the event's clause, the report's date, the narrative's
context, a curated seed fact, or an honest open interval."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

from .. import timing
from ..seed_notes import CuratedEventDate
from .dates import DateExpr, When, next_year, resolve_relative, since, unknown
from .grammar import Grammar
from .model import Doc
from .participants import clause_end, clause_start, parentheticals
from .scanning import scanned

if TYPE_CHECKING:
    from .event_model import Event

def usable(doc: Doc, g: Grammar, ev: Event, x: DateExpr, pub: dt.date) -> bool:
    """A date expression can date an event when it stands in the event's clause or opens the
    sentence, and (for what is reported as done) does not lie after publication."""
    sent = doc.sentences[ev.sentence]
    c_start = clause_start(doc, g, sent.start, ev.trig_start)
    c_end = clause_end(doc, g, ev.trig_end, sent.end)
    in_clause = x.start >= c_start and x.end <= c_end
    opening = (x.start - sent.start < g.settings.sentence_opening_chars
               and clause_start(doc, g, sent.start, x.start) == sent.start)
    if not (in_clause or opening or _when_of(g, doc, x, c_start)):
        return False
    asides = parentheticals(doc, g, sent.start, sent.end)
    x_aside = next(((a, b) for a, b in asides if a <= x.start < b), None)
    ev_aside = next(((a, b) for a, b in asides if a <= ev.trig_start < b), None)
    if x_aside != ev_aside:
        # "Du Xiaoman, spun off from Baidu in 2018, was barred ...": an aside and the main clause
        # each keep their own dates.
        return False
    other_acts = scanned(g.other_act).finditer(doc.text, ev.trig_end, c_end)
    if any(a <= x.start < b for a, b in (o.span() for o in other_acts)):
        return False  # "fined for its purchase of X in 2018": the date of another act
    if g.dateline_before.match(doc.text[sent.start:x.start]) and g.dateline_after.match(doc.text, x.end):
        return False  # "BEIJING, March 15 (Reuters) -": the dateline dates the report, not the act
    # A deadline or a future date does not date what is reported as done.
    return not (ev.modality == "asserted" and (x.planned or (
        x.when is not None and x.when.lo is not None and x.when.lo > pub)))


def _when_of(g: Grammar, doc: Doc, x: DateExpr, c_start: int) -> bool:
    """"since last September, when he was promoted": the date right before the clause's "when"."""
    m = g.when_clause.match(doc.text, x.end)
    return m is not None and m.end() <= c_start and not doc.text[m.end():c_start].strip()


def attributed(doc: Doc, g: Grammar, ev: Event, exprs: list[DateExpr], pub: dt.date) -> list[DateExpr]:
    """Dates of the report that states the event ("according to a statement published on Friday")."""
    sent = doc.sentences[ev.sentence]
    spans = [m.span() for m in scanned(g.attribution).finditer(doc.text, ev.trig_end, sent.end)]
    return [x for x in exprs if any(a <= x.start and x.end <= b for a, b in spans)
            and not (ev.modality == "asserted" and x.when is not None and x.when.lo is not None and x.when.lo > pub)]


@timing.timed("dates")
def date_event(doc: Doc, g: Grammar, ev: Event, exprs: list[DateExpr], pub: dt.date, ref: When | None,
               prev: list[Event], sent_text: str, last_exprs: Callable[[], list[DateExpr]]) -> None:
    """Date ``ev`` of the sentence ``sent_text`` by the first that fits: an expression of its
    clause, the events before it, the resolved expressions of the last sentence that has some
    (``last_exprs()``, asked for only here), the publication date."""
    planned = ev.modality == "planned"
    exprs = [x for x in exprs if usable(doc, g, ev, x, pub)] or attributed(doc, g, ev, exprs, pub)
    if planned:
        # What is announced for later is dated only by words after it ("will open ... next year").
        exprs = [x for x in exprs if x.start >= ev.trig_start]
    expr = min(exprs, key=lambda x: min(abs(x.start - ev.trig_end), abs(ev.trig_start - x.end)), default=None)
    if expr is not None:
        when = expr.when
        if expr.items and ev.split >= 0 and ev.split < len(expr.items):
            when = expr.items[ev.split]
        elif expr.relative is not None:
            when = resolve_relative(expr.relative, ref or When(pub.isoformat(), pub, pub, "day"), pub, planned)
        if when is not None and planned and expr.yearless and when.lo is not None and when.lo < pub:
            when = next_year(when)
        if when is not None and planned and expr.rule_id == "date.weekday" and when.lo is not None \
                and when.lo < pub:
            d = when.lo + dt.timedelta(days=7)  # "will meet on Tuesday": the coming one
            when = When(d.isoformat(), d, d, "day")
        if when is not None and expr.since and not _when_of(g, doc, expr, clause_start(
                doc, g, doc.sentences[ev.sentence].start, ev.trig_start)):
            when = since(when, pub)
        if when is not None:
            ev.when, ev.date_basis, ev.date_text, ev.date_expr = when, "text", expr.text, expr
            return
    ids = {a for a, _, _ in ev.participants}
    dated_prev = [p for p in prev if p.when is not None and p.date_basis != "unknown"
                  and p.modality == "asserted"]
    sharing = [p for p in dated_prev if ids & {a for a, _, _ in p.participants}]
    if sharing or (dated_prev and g.continues.search(sent_text) and not planned):
        # A plan is dated from the report of its announcer: open from then on.
        src = (sharing or dated_prev)[-1]
        when = src.when
        if planned and when.lo is not None:
            when = When(f"{when.lo.isoformat()}/..", when.lo, None, "unknown")
        ev.when, ev.date_basis, ev.date_text = when, "context", src.date_text
        ev.date_source = src.date_source
        return
    if not planned and g.continues.search(sent_text) and (context := last_exprs()):
        x = context[0]
        if x.when is not None and x.when.lo is not None and x.when.lo <= pub and not x.planned:
            ev.when, ev.date_basis, ev.date_text = x.when, "context", x.text
            return
    ev.when, ev.date_basis, ev.date_text = unknown(pub, planned), "unknown", None


@timing.timed("dates")
def apply_curated(found: list[Event], curated: tuple[CuratedEventDate, ...], name_of: dict[str, str]) -> None:
    from ..dates import edtf_bounds

    for fact in curated:
        for ev in found:
            ids = {a for a, _, _ in ev.participants}
            if ev.event_type != fact.event_type or not (fact.actor in ids or
                                                        any(name_of.get(a) == fact.actor for a in ids)):
                continue
            if ev.date_basis == "text" and ev.when is not None and ev.when.precision == "day":
                continue  # the article's own day wins over a curated fact
            lo, hi = edtf_bounds(fact.date)
            precision = {10: "day", 7: "month", 4: "year"}.get(len(fact.date), "range")
            old_expr = ev.date_expr
            ev.when, ev.date_basis, ev.date_text = When(fact.date, lo, hi, precision), "curated", None
            ev.date_source = fact.source
            for sib in found:
                if sib is not ev and old_expr is not None and sib.date_expr is old_expr:
                    sib.when, sib.date_basis, sib.date_source = ev.when, "context", fact.source
