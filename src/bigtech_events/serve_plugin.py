"""Datasette hooks of ``bigtech-events serve``: links in views, related rows on row pages.

- In the views (``event_details``, ``actor_events``) and in query results, an ``actor_id``,
  ``event_id`` or ``article_id`` (and an actor's name) links to that row's page, as foreign
  keys do in the tables.
- An actor's page lists its events with their evidence sentences; an event's page lists its
  participants and money amounts (``templates/row.html`` shows them below the row).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from datasette import hookimpl
from datasette.utils import tilde_decode, tilde_encode
from markupsafe import Markup, escape

from .paths import package_file
from .sqlite_views import VIEWS

#: The page templates shipped in the package (a directory on disk, as pip installs it).
TEMPLATES = Path(str(package_file("templates")))
#: Columns that link to a row: column -> (table, the row's column holding the id).
ROW_LINKS = {
    "actor_id": ("actors", "actor_id"),
    "actor": ("actors", "actor_id"),
    "event_id": ("events", "event_id"),
    "article_id": ("articles", "article_id"),
}


@dataclass(frozen=True)
class Section:
    """Rows related to the row a page shows: a heading, a query with ``:id``, and linked columns."""

    title: str
    sql: str


#: Table -> the sections its row pages show.
SECTIONS = {
    "actors": (
        Section("Events of this actor",
                "SELECT event_type, role, date, evidence, event_id FROM actor_events WHERE actor_id = :id"),
    ),
    "events": (
        Section("Participants",
                "SELECT p.role, a.name AS actor, a.actor_type, p.actor_id FROM event_participants p "
                "JOIN actors a ON a.actor_id = p.actor_id WHERE p.event_id = :id ORDER BY p.role, a.name"),
        Section("Money amounts",
                "SELECT text, value, currency, approximate, amount_id FROM amounts WHERE event_id = :id "
                "ORDER BY char_start"),
    ),
}


def register() -> None:
    """Make these hooks part of Datasette (once per process)."""
    from datasette.plugins import pm

    module = sys.modules[__name__]
    if not pm.is_registered(module):
        pm.register(module, name="bigtech_events")


def _href(datasette: Any, database: str, table: str, value: str) -> str:
    return str(datasette.urls.row(database, table, tilde_encode(value)))


def _link(datasette: Any, database: str, column: str, row: Any) -> dict[str, str] | None:
    table, id_column = ROW_LINKS[column]
    try:
        target = row[id_column]
    except (IndexError, KeyError):
        return None
    return {"href": _href(datasette, database, table, str(target))} if target else None


@hookimpl
def render_cell(row: Any, value: Any, column: str, table: str | None, database: str,
                datasette: Any) -> Markup | None:
    """Ids and actor names in views and query results as links to their rows."""
    if (table is not None and table not in VIEWS) or column not in ROW_LINKS or value is None:
        return None
    link = _link(datasette, database, column, row)
    return Markup(f'<a href="{escape(link["href"])}">{escape(value)}</a>') if link else None


async def _section(datasette: Any, database: str, section: Section, key: str) -> dict[str, Any]:
    result = await datasette.get_database(database).execute(section.sql, {"id": key})
    rows = []
    for row in result.rows:
        cells = []
        for column in result.columns:
            link = _link(datasette, database, column, row) if column in ROW_LINKS else None
            cells.append({"column": column, "value": row[column], "href": link["href"] if link else None})
        rows.append(cells)
    return {"title": section.title, "columns": list(result.columns), "rows": rows}


@hookimpl
def extra_template_vars(view_name: str, table: str | None, database: str | None, request: Any,
                        datasette: Any) -> Any:
    """``related_sections`` for the row pages of actors and events."""
    if view_name != "row" or table not in SECTIONS or request is None or database is None:
        return {}

    async def sections() -> dict[str, Any]:
        key = tilde_decode(request.url_vars["pks"])
        return {"related_sections": [await _section(datasette, database, s, key) for s in SECTIONS[table]]}

    return sections
