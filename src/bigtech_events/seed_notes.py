"""Curated facts in a seed's ``notes``: what a curator established that the text does not state,
each with where it came from.

A note is ``fact`` plus ``source``. The source is either text (for what the page itself shows,
"its closing credit line") or a public source as a mapping of ``outlet``, ``title``, ``date``
and ``url``. A note may also date an event (``event: {type, actor, date}``); such a note must
cite a public source, and that citation is what ``events.date_source`` carries::

    >>> cite({"outlet": "Reuters", "title": "China fines Ant", "date": "2023-07-07",
    ...       "url": "https://example.org/ant"})
    'Reuters, "China fines Ant", 2023-07-07, https://example.org/ant'
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from .contract.vocab import enum
from .dates import valid_edtf
from .errors import UserError

NOTE_KEYS = {"fact", "source", "event"}
EVENT_FACT_KEYS = {"type", "actor", "date"}
#: The keys of a public source, in the order a citation gives them.
SOURCE_KEYS = ("outlet", "title", "date", "url")


@dataclass(frozen=True)
class CuratedEventDate:
    """A date for an event that the text does not give, established by a curator.

    ``source`` is the citation of the public source (:func:`cite`)."""

    event_type: str
    actor: str
    date: str
    source: str


def as_text(value: Any) -> str:
    """A scalar as the text it was written as (dates stay as written)."""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)


def cite(source: dict[str, Any]) -> str:
    """A public source as one line: ``outlet, "title", date, url``."""
    outlet, title, date, url = (" ".join(as_text(source[k]).split()) for k in SOURCE_KEYS)
    return f'{outlet}, "{title}", {date}, {url}'


def _line(value: Any, fallback: str) -> str:
    """``file:line`` of a parsed mapping or list item, else the fallback (``file:line`` of notes)."""
    line = getattr(value, "line", None)
    return fallback if line is None else f"{fallback.rsplit(':', 1)[0]}:{line}"


def check_source(source: Any, where: str, i: int) -> None:
    """Refuse a public source that lacks a key, has another, or whose date or address is malformed."""
    if not isinstance(source, dict):
        return
    keys = ", ".join(SOURCE_KEYS)
    unknown = sorted(set(source) - set(SOURCE_KEYS))
    missing = [k for k in SOURCE_KEYS if source.get(k) in (None, "")]
    if unknown or missing:
        what = f"has unknown key {unknown[0]!r}" if unknown else f"lacks {missing[0]!r}"
        raise UserError(f"{where}: note {i} source {what}; a public source has exactly {keys}")
    if isinstance(source.get("date"), (dict, list)) or not valid_edtf(as_text(source["date"])):
        raise UserError(f"{where}: note {i} source date {source['date']!r} is not an ISO or EDTF date; "
                        "write e.g. 2023-07-07")
    if not re.match(r"^https?://\S+$", as_text(source["url"])):
        raise UserError(f"{where}: note {i} source url is not an http(s) address; give the page's address")


def parse_notes(notes: Any, where: str) -> tuple[CuratedEventDate, ...]:
    """The curated event dates of a seed's ``notes``; a malformed note is a one-line error.

    ``where`` is ``file:line`` of the ``notes`` key; a message names the note's own line."""
    if notes is None or isinstance(notes, str):
        return ()
    if not isinstance(notes, list):
        raise UserError(f"{where}: 'notes' must be text or a list of {{fact, source, event}} entries")
    out = []
    for i, note in enumerate(notes, 1):
        if isinstance(note, str):
            continue
        at = _line(note, where)
        if not isinstance(note, dict) or set(note) - NOTE_KEYS or "fact" not in note or "source" not in note:
            raise UserError(
                f"{at}: note {i} must have 'fact' and 'source' (and optionally 'event'); "
                f"found {sorted(note) if isinstance(note, dict) else type(note).__name__}"
            )
        source = note["source"]
        if not isinstance(source, (str, dict)):
            raise UserError(f"{at}: note {i} source must be text or a mapping of outlet, title, date, url")
        check_source(source, at, i)
        event = note.get("event")
        if event is None:
            continue
        out.append(_event_fact(event, source, at, i))
    return tuple(out)


def _event_fact(event: Any, source: Any, where: str, i: int) -> CuratedEventDate:
    if not isinstance(event, dict) or set(event) != EVENT_FACT_KEYS:
        raise UserError(f"{where}: note {i} 'event' must have exactly the keys type, actor, date")
    date = as_text(event["date"])
    if not valid_edtf(date):
        raise UserError(f"{where}: note {i} event date {date!r} is not an EDTF date")
    types = enum("events", "event_type")
    if str(event["type"]) not in types:
        raise UserError(f"{where}: note {i} event type {event['type']!r} is not one of {', '.join(types)}")
    if not isinstance(source, dict):
        raise UserError(f"{where}: note {i} dates an event, so its source must be a public source: write "
                        "source: {outlet, title, date, url} of the report that gives the date")
    return CuratedEventDate(str(event["type"]), str(event["actor"]), date, cite(source))
