"""SQL views of the SQLite database: the tables joined the way a reader asks for them.

- ``event_details``: one row per event with its evidence sentence, its participants by role
  (names) and the money amounts stated for it;
- ``actor_events``: one row per actor, event and role, with the event's evidence sentence.

``year`` is the year of ``date_start`` (null when the event's date is unknown). Each view
names the tables it reads; a view is created only when the package has them all. The
descriptions are shown by ``bigtech-events serve``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class View:
    """A view: what it holds, the tables it reads, its SELECT, and its columns' descriptions."""

    description: str
    tables: tuple[str, ...]
    select: str
    columns: dict[str, str]


#: Participant roles -> the event_details column that lists them.
ROLE_COLUMNS = {"source": "sources", "target": "targets", "party": "parties", "attendee": "attendees"}


def _names(role: str) -> str:
    """The names of the event's participants in ``role``, alphabetically, joined by '; '."""
    return (f"(SELECT group_concat(name, '; ') FROM (SELECT a.name FROM event_participants p "
            f"JOIN actors a ON a.actor_id = p.actor_id WHERE p.event_id = e.event_id AND p.role = '{role}' "
            f"ORDER BY a.name)) AS {ROLE_COLUMNS[role]}")


#: Each amount as "<text> (<currency> <value>)", a conversion of another amount marked as such.
_AMOUNTS = ("(SELECT group_concat(stated, '; ') FROM (SELECT m.text || ' (' || m.currency || ' ' || "
            "printf('%,d', m.value) || CASE WHEN m.equivalent_of IS NULL THEN '' ELSE ', a conversion' END "
            "|| ')' AS stated FROM amounts m WHERE m.event_id = e.event_id ORDER BY m.char_start)) AS amounts")

#: The event's money in US dollars: the sum of its amounts' value_usd, conversions left out (they
#: restate another amount); empty when any of the amounts summed has no dollar value.
_USD = ("(SELECT CASE WHEN count(*) = 0 OR count(m.value_usd) < count(*) THEN NULL "
        "ELSE round(sum(m.value_usd), 2) END FROM amounts m "
        "WHERE m.event_id = e.event_id AND m.equivalent_of IS NULL) AS value_usd")

EVENT_DETAILS = View(
    description="One row per event: its type, date, participants by role, the money amounts stated for it "
                "and the sentence that states it.",
    tables=("events", "event_participants", "actors", "amounts"),
    select=(
        "SELECT e.event_id, e.event_type, e.modality, e.date, CAST(substr(e.date_start, 1, 4) AS INTEGER) "
        "AS year, e.date_start, e.date_end, "
        + ", ".join(_names(role) for role in ROLE_COLUMNS)
        + f", {_AMOUNTS}, {_USD}, e.evidence, e.summary, e.article_id FROM events e ORDER BY e.date_start, e.event_id"
    ),
    columns={
        "year": "Year of date_start (null when the date is unknown).",
        "sources": "Names of the participants in role source (who acts), joined by '; '.",
        "targets": "Names of the participants in role target (who is acted on), joined by '; '.",
        "parties": "Names of the participants in role party (parties alike, as in an agreement), joined by '; '.",
        "attendees": "Names of the participants in role attendee, joined by '; '.",
        "amounts": "Money amounts stated for the event, joined by '; ': the text, then currency and value in "
                   "units; 'a conversion' marks an amount that only converts another (equivalent_of).",
        "value_usd": "The event's money in US dollars: the sum of amounts.value_usd of its amounts, "
                     "conversions (equivalent_of) left out; empty when an amount has no dollar value.",
        "evidence": "The sentence that states the event.",
    },
)

ACTOR_EVENTS = View(
    description="One row per actor, event and role: each actor with the events it takes part in and the "
                "sentence that states each.",
    tables=("events", "event_participants", "actors"),
    select=(
        "SELECT a.actor_id, a.name AS actor, a.actor_type, p.role, e.event_id, e.event_type, e.modality, "
        "e.date, CAST(substr(e.date_start, 1, 4) AS INTEGER) AS year, e.evidence, e.summary, e.article_id "
        "FROM event_participants p JOIN actors a ON a.actor_id = p.actor_id "
        "JOIN events e ON e.event_id = p.event_id ORDER BY a.name, e.date_start, e.event_id, p.role"
    ),
    columns={
        "actor": "The actor's canonical name.",
        "role": "The actor's role in the event: source, target, party or attendee.",
        "year": "Year of the event's date_start (null when the date is unknown).",
        "evidence": "The sentence that states the event.",
    },
)

VIEWS: dict[str, View] = {"event_details": EVENT_DETAILS, "actor_events": ACTOR_EVENTS}
