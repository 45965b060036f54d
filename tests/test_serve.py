"""`bigtech-events serve`: Datasette metadata from the package, the pages' links and related rows
(through Datasette's own client, no browser), and one-line errors for a missing package or a busy
port. tests/test_serve_browser.py drives the running site with a real browser."""

from __future__ import annotations

import asyncio
import re
import socket
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from bigtech_events.cli import main
from bigtech_events.schemas import load_schemas
from bigtech_events.serve import DATABASE, make_site, metadata
from bigtech_events.sqlite import stored_descriptor, write_sqlite


@pytest.fixture(scope="module")
def db(built_package: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_sqlite(built_package, tmp_path_factory.mktemp("db") / "events.db").path


def pages(db: Path, *paths: str) -> list[tuple[int, str]]:
    """Status and HTML of each path, fetched in-process from the site over ``db``."""
    site = make_site(db, stored_descriptor(db))

    async def fetch() -> list[tuple[int, str]]:
        await site.invoke_startup()
        out = []
        for path in paths:
            response = await site.client.get(path)
            out.append((response.status_code, response.text))
        return out

    return asyncio.run(fetch())


def test_metadata_describes_every_table_and_column_from_the_schemas(db: Path) -> None:
    meta = metadata(stored_descriptor(db))
    assert meta["license"].startswith("Creative Commons Attribution 4.0")
    assert meta["license_url"] == "https://creativecommons.org/licenses/by/4.0/"
    assert meta["title"] == "China Big Tech Events " + stored_descriptor(db)["version"]
    tables = meta["databases"][DATABASE]["tables"]
    for name, schema in load_schemas().items():
        assert tables[name]["description"] == schema["description"]
        assert tables[name]["columns"] == {f["name"]: f["description"] for f in schema["fields"]}
    assert "event_type" in tables["events"]["facets"] and {"date": "date_start"} in tables["events"]["facets"]
    assert "actor_type" in tables["actors"]["facets"]
    assert {"event_type", "year"} <= set(tables["event_details"]["facets"])
    assert tables["actors"]["label_column"] == "name"


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_pages_show_facets_links_and_related_rows(db: Path) -> None:
    with closing(sqlite3.connect(db)) as conn:
        (event_id,), = conn.execute("SELECT event_id FROM event_details WHERE event_type = 'penalty' "
                                    "AND targets = 'Ant Group'").fetchall()
    (s1, index), (s2, facet), (s3, actor), (s4, event), (s5, found), (s6, events) = pages(
        db, f"/{DATABASE}", f"/{DATABASE}/actor_events?event_type=penalty",
        f"/{DATABASE}/actors/ant-group", f"/{DATABASE}/events/{event_id}",
        f"/{DATABASE}/events_of_actor?name=ant+gr", f"/{DATABASE}/events")
    assert (s1, s2, s3, s4, s5, s6) == (200,) * 6
    assert 'name="_search"' in events and "Events of an actor" in index
    assert 'href="/china-bigtech-events/actors/ant-group">Ant Group</a>' in found and "penalty" in found
    assert "Creative Commons Attribution 4.0" in index and "event_details" in index
    assert 'href="/china-bigtech-events/actors/ant-group">Ant Group</a>' in facet
    assert "Events of this actor" in actor
    assert "Ant Group received a financial penalty of US$984 million from the People’s Bank" in _text(actor)
    assert "Participants" in event and 'href="/china-bigtech-events/actors/ant-group">Ant Group</a>' in event
    assert "Money amounts" in event and "US$984 million" in event


def _free_port() -> tuple[socket.socket, int]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(1)
    return sock, sock.getsockname()[1]


def _one_line_error(args: list[str], capsys: pytest.CaptureFixture) -> str:
    with pytest.raises(SystemExit) as exit_:
        main(args)
    err = capsys.readouterr().err
    assert exit_.value.code == 1 and err.count("\n") == 1 and "Traceback" not in err
    return err


def test_a_port_in_use_is_one_line(built_package: Path, capsys: pytest.CaptureFixture) -> None:
    busy, port = _free_port()
    with busy:
        err = _one_line_error(["serve", str(built_package), "--port", str(port)], capsys)
    assert err == (f"error: 127.0.0.1:{port}: port in use; pass --port with a free port (or 0 for any), "
                   "or stop what listens there\n")


def test_a_missing_package_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    err = _one_line_error(["serve", str(tmp_path / "nowhere"), "--port", "0"], capsys)
    assert err.startswith(f"error: {tmp_path / 'nowhere'}: no such package;")


def test_a_database_not_made_by_the_sqlite_command_is_one_line(tmp_path: Path,
                                                               capsys: pytest.CaptureFixture) -> None:
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.close()
    err = _one_line_error(["serve", str(other), "--port", "0"], capsys)
    assert "not a database written by `bigtech-events sqlite`" in err


def test_every_column_of_the_views_is_described(db: Path) -> None:
    from bigtech_events.sqlite import view_columns

    columns = view_columns(db)
    tables = metadata(stored_descriptor(db), columns)["databases"][DATABASE]["tables"]
    for view in ("event_details", "actor_events"):
        described = tables[view]["columns"]
        assert list(described) == columns[view] and all(described.values()), view
    assert tables["actor_events"]["columns"]["actor_type"] == tables["actors"]["columns"]["actor_type"]
