"""One event per act: sentences of one article that tell the same act become one event.

A lede and a body sentence often report the same fine, deal or meeting. Researchers count rows,
so each act is one event row; every sentence that tells it is kept as a mention of the event
(the ``event_mentions`` table), so no evidence is lost.

Two event mentions tell the same act when they have the same type and modality, their dates
can be the same, and the actors of one are all among the actors of the other ("Hangzhou signed a
deal with 360" and "Hangzhou signed a deal with NetEase" are two acts), with no contradiction in
the roles ``source`` and ``target`` (when both name someone in a role, they share someone). A
mention with no participants never merges: it could be any act of its type.
"""

from __future__ import annotations

from typing import Any

from .. import timing
from .event_model import Event
from .model import Doc

#: Roles whose actors must agree when both mentions name some.
_CONTRASTIVE = ("source", "target")


def merge_acts(events: list[Event]) -> list[Event]:
    """Fold each event into the first earlier event of the same act; return the acts in order.

    The kept event takes the other's participants (roles already given keep the first), the more
    precise date, and records the other as a supporting mention in ``Event.mentions``.
    """
    acts: list[Event] = []
    # Two mentions of one act share an actor (``same_act``): look only at the acts of the same
    # type and modality that name one of this mention's actors, in the order they were told.
    by_actor: dict[tuple[str, str, str], set[int]] = {}
    for ev in events:
        near = sorted({i for x, _, _ in ev.participants
                       for i in by_actor.get((ev.event_type, ev.modality, x), ())})
        j = next((i for i in near if same_act(acts[i], ev)), None)
        if j is None:
            j = len(acts)
            acts.append(ev)
        else:
            absorb(acts[j], ev)
        for x, _, _ in acts[j].participants:
            by_actor.setdefault((ev.event_type, ev.modality, x), set()).add(j)
    return acts


def same_act(a: Event, b: Event) -> bool:
    if a.event_type != b.event_type or a.modality != b.modality or a.sentence == b.sentence:
        return False
    if not a.participants or not b.participants:
        return False
    ids_a = {x for x, _, _ in a.participants}
    ids_b = {x for x, _, _ in b.participants}
    if not (ids_a <= ids_b or ids_b <= ids_a):
        return False
    for role in _CONTRASTIVE:
        ra = {x for x, r, _ in a.participants if r == role}
        rb = {x for x, r, _ in b.participants if r == role}
        if ra and rb and not ra & rb:
            return False
    return _dates_overlap(a, b)


def _dates_overlap(a: Event, b: Event) -> bool:
    wa, wb = a.when, b.when
    if wa is None or wb is None:
        return True
    if wa.lo is not None and wb.hi is not None and wa.lo > wb.hi:
        return False
    return not (wb.lo is not None and wa.hi is not None and wb.lo > wa.hi)


def _span_days(ev: Event) -> float:
    w = ev.when
    if w is None or w.lo is None or w.hi is None or ev.date_basis == "unknown":
        return float("inf")
    return (w.hi - w.lo).days


def absorb(keep: Event, other: Event) -> None:
    for actor_id, role, mention in other.participants:
        keep.add(actor_id, role, mention, other.participant_rules.get((actor_id, role)))
    if _span_days(other) < _span_days(keep):
        keep.when, keep.date_basis, keep.date_source = other.when, other.date_basis, other.date_source
        keep.date_text, keep.date_expr = other.date_text, other.date_expr
    if keep.location is None:
        keep.location = other.location
    keep.mentions.append(other)
    keep.mentions.extend(other.mentions)
    other.mentions = []


@timing.timed("amounts")
def distinct_amounts(doc: Doc, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One amount row per distinct figure and event: a figure repeated in the article (a headline
    and the body, a lede and a later paragraph) is kept once, at its first statement. A repeat
    that is tied to an event lends the kept row its event when the first statement had none;
    figures tied to two different events stay two rows. Each repeat is noted in the trace."""
    out: list[dict[str, Any]] = []
    same_as: dict[str, str] = {}
    for row in rows:
        first = next((k for k in out if (k["value"], k["currency"]) == (row["value"], row["currency"])
                      and (k["event_id"] is None or row["event_id"] is None
                           or k["event_id"] == row["event_id"])), None)
        if first is None:
            out.append(dict(row))
            continue
        same_as[row["amount_id"]] = first["amount_id"]
        if first["event_id"] is None:
            first["event_id"] = row["event_id"]
        doc.note(doc.sentence_of(row["char_start"]), row["rule_id"],
                 f"amount {row['text']!r} repeats {first['text']!r}: no second row")
    for row in out:
        if row["equivalent_of"] is not None:
            row["equivalent_of"] = same_as.get(row["equivalent_of"], row["equivalent_of"])
    return out
