"""Browse a package in Datasette (``bigtech-events serve``).

The site is Datasette over the SQLite database of :mod:`bigtech_events.sqlite`
(built into a temporary directory for a package directory or release zip, or
given as a ``.db`` file written by ``bigtech-events sqlite``). Its metadata
comes from the package descriptor the database carries: title, licence,
source, the description of every table and column, facets (event type, actor
type, year and dates), the columns that label foreign-key links, and a canned
query. :mod:`bigtech_events.serve_plugin` links the views' ids to their rows
and lists an actor's events and an event's participants and amounts on their
pages. Datasette is an optional dependency: ``pip install
'china-bigtech-events[serve]'``.

Examples::

    from bigtech_events.serve import serve
    serve(".", host="127.0.0.1", port=8001)   # until Ctrl-C
"""

from __future__ import annotations

import errno
import socket
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .errors import UserError
from .install import reading
from .sqlite import (
    DESCRIPTOR_TABLE,
    FULL_TEXT,
    is_sqlite,
    stored_descriptor,
    view_columns,
    write_sqlite,
)
from .sqlite_views import VIEWS

DATABASE = "china-bigtech-events"
#: Tables and views -> the facets shown on their pages.
FACETS: dict[str, list[Any]] = {
    "events": ["event_type", "modality", "date_precision", {"date": "date_start"}],
    "actors": ["actor_type", "country"],
    "event_participants": ["role"],
    "mentions": ["resolution"],
    "affiliations": ["relation"],
    "amounts": ["currency"],
    "event_details": ["event_type", "year", "modality"],
    "actor_events": ["event_type", "actor_type", "role", "year"],
}
#: The column whose value labels a link to a row of that table.
LABELS = {"actors": "name", "articles": "title", "events": "summary", "mentions": "text"}
SORT = {"events": "date_start", "actors": "name", "articles": "published_start"}
QUERIES = {
    "events_of_actor": {
        "title": "Events of an actor",
        "description": "The events of every actor whose name or an alias contains the text, with the "
                       "sentence that states each.",
        "sql": "SELECT * FROM actor_events WHERE actor_id IN (SELECT actor_id FROM actors WHERE name LIKE "
               "'%' || :name || '%' UNION SELECT actor_id FROM actor_aliases WHERE alias LIKE '%' || :name "
               "|| '%') ORDER BY actor, date, event_id",
    },
}


def _licence(descriptor: dict[str, Any]) -> dict[str, str]:
    licences = descriptor.get("licenses") or [{}]
    first = licences[0]
    out = {"license": str(first.get("title") or first.get("name") or "")}
    if first.get("path"):
        out["license_url"] = str(first["path"])
    return out


def _view_columns(view: str, columns: list[str], tables: dict[str, Any]) -> dict[str, str]:
    """Descriptions of a view's columns: its own, else that of the same column in the tables it reads."""
    own = VIEWS[view].columns
    described = {}
    for column in columns:
        found = own.get(column) or next((tables[t]["columns"][column] for t in VIEWS[view].tables
                                         if column in tables.get(t, {}).get("columns", {})), "")
        described[column] = found
    return described


def metadata(descriptor: dict[str, Any], view_columns: dict[str, list[str]] | None = None) -> dict[str, Any]:
    """Datasette metadata for the database of a package, from its descriptor (so from schemas/).

    ``view_columns`` (view -> its columns) lets every column of a view be described.
    """
    version = descriptor.get("version", "")
    about = {
        "title": f"{descriptor.get('title', descriptor.get('name', ''))} {version}".strip(),
        "description": descriptor.get("description", ""),
        "source": f"{descriptor.get('name', '')} {version} Data Package, built from "
                  f"{len(descriptor.get('sources') or [])} article(s) (see the articles table)",
        **_licence(descriptor),
    }
    tables: dict[str, Any] = {}
    for res in descriptor.get("resources") or []:
        name, schema = res["name"], res.get("schema") or {}
        tables[name] = {
            "description": res.get("description") or schema.get("description", ""),
            "columns": {f["name"]: f.get("description", "") for f in schema.get("fields", [])},
        }
    for name, view in VIEWS.items():
        columns = (view_columns or {}).get(name) or list(view.columns)
        tables[name] = {"description": view.description, "columns": _view_columns(name, columns, tables)}
    for name, facets in FACETS.items():
        tables.setdefault(name, {})["facets"] = facets
    for name, column in LABELS.items():
        tables.setdefault(name, {})["label_column"] = column
    for name, column in SORT.items():
        tables.setdefault(name, {})["sort"] = column
    for name in FULL_TEXT:
        tables.setdefault(f"{name}_fts", {})["hidden"] = True
    tables[DESCRIPTOR_TABLE] = {"hidden": True}
    return {**about, "databases": {DATABASE: {**about, "tables": tables, "queries": QUERIES}}}


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on ``host:port`` (port 0: one the system picks), or a one-line error."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror:
        raise UserError(f"--host {host}: not an address of this machine; pass one such as 127.0.0.1") from None
    family, _, _, _, address = infos[0]
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(128)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise UserError(f"{host}:{port}: port in use; pass --port with a free port (or 0 for any), "
                            "or stop what listens there") from None
        raise UserError(f"{host}:{port}: cannot listen ({exc.strerror}); pass another --host or --port") from None
    return sock


def make_site(db_path: Path, descriptor: dict[str, Any]) -> Any:
    """A Datasette instance over the database at ``db_path`` (read-only), with the package's metadata."""
    try:
        from datasette.app import Datasette
        from datasette.database import Database
    except ImportError:
        raise UserError("serve needs Datasette, which is not installed; run "
                        "pip install 'china-bigtech-events[serve]' and try again") from None
    from . import serve_plugin

    serve_plugin.register()
    ds = Datasette(metadata=metadata(descriptor, view_columns(db_path)), template_dir=str(serve_plugin.TEMPLATES),
                   settings={"suggest_facets": False})
    ds.add_database(Database(ds, path=str(db_path), is_mutable=False), name=DATABASE)
    return ds


def _run(ds: Any, sock: socket.socket, announce: Callable[[str], None]) -> None:
    import uvicorn

    host, port = sock.getsockname()[:2]
    config = uvicorn.Config(ds.app(), log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    announce(f"http://{host}:{port}/{DATABASE}")
    server.run(sockets=[sock])


def serve(package: str | Path, host: str = "127.0.0.1", port: int = 8001,
          announce: Callable[[str], None] = print) -> None:
    """Serve ``package`` (directory, release zip or database from ``write_sqlite``) until stopped.

    ``announce`` is called with the site's address once the port is bound.
    """
    package = Path(package)
    if not package.exists():
        raise UserError(f"{package}: no such package; pass a package directory (with datapackage.json), a "
                        "release zip or a .db file from `bigtech-events sqlite`")
    sock = bind(host, port)
    try:
        if is_sqlite(package):
            _run(make_site(package, stored_descriptor(package)), sock, announce)
            return
        with tempfile.TemporaryDirectory(prefix="bigtech-events-serve-") as tmp:
            with reading(package):  # a package a build is installing is read whole
                report = write_sqlite(package, Path(tmp) / f"{DATABASE}.db")
            _run(make_site(report.path, stored_descriptor(report.path)), sock, announce)
    finally:
        sock.close()
