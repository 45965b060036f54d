"""`bigtech-events sqlite`: a SQLite database built from the package alone, with its keys,
indexes, views and full-text search, byte-for-byte the same for the same package."""

from __future__ import annotations

import json
import sqlite3
import zipfile
from contextlib import closing
from pathlib import Path

import pytest
from helpers import rewrite

from bigtech_events.cli import main
from bigtech_events.errors import UserError
from bigtech_events.loader import load_package
from bigtech_events.sqlite import DESCRIPTOR_TABLE, stored_descriptor, write_sqlite


@pytest.fixture(scope="module")
def db(built_package: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_sqlite(built_package, tmp_path_factory.mktemp("db") / "events.db").path


def query(path: Path, sql: str, *params: object) -> list[tuple]:
    with closing(sqlite3.connect(path)) as conn:
        return conn.execute(sql, params).fetchall()


def descriptor(package: Path) -> dict:
    return json.loads((package / "datapackage.json").read_text(encoding="utf-8"))


def test_every_table_has_the_package_rows_and_the_schema_columns(db: Path, built_package: Path) -> None:
    tables = load_package(built_package)
    for res in descriptor(built_package)["resources"]:
        name = res["name"]
        columns = [row[1] for row in query(db, f'PRAGMA table_info("{name}")')]
        assert columns == [f["name"] for f in res["schema"]["fields"]]
        assert query(db, f'SELECT count(*) FROM "{name}"') == [(len(tables[name]),)]
    events = tables["events"]
    first = events.iloc[0]
    (date_start, char_start, evidence), = query(
        db, "SELECT date_start, char_start, evidence FROM events WHERE event_id = ?", first["event_id"])
    assert date_start == (None if first["date_start"] is None else str(first["date_start"]))
    assert (char_start, evidence) == (first["char_start"], first["evidence"])


def test_primary_and_foreign_keys_are_those_of_the_schemas(db: Path, built_package: Path) -> None:
    for res in descriptor(built_package)["resources"]:
        name, schema = res["name"], res["schema"]
        info = sorted((row[5], row[1]) for row in query(db, f'PRAGMA table_info("{name}")') if row[5])
        pk = schema["primaryKey"]
        assert [c for _, c in info] == ([pk] if isinstance(pk, str) else pk)
        fks = {(row[3], row[2], row[4]) for row in query(db, f'PRAGMA foreign_key_list("{name}")')}
        expected = {(col, fk["reference"].get("resource") or name, ref)
                    for fk in schema.get("foreignKeys", [])
                    for col, ref in zip(fk["fields"], fk["reference"]["fields"], strict=True)}
        assert fks == expected and (name in ("articles", "actors", "exchange_rates") or fks)
    assert query(db, "PRAGMA foreign_key_check") == []


def _indexed_first_columns(db: Path, table: str) -> set[str]:
    names = [row[1] for row in query(db, f'PRAGMA index_list("{table}")')]
    return {query(db, f'PRAGMA index_info("{n}")')[0][2] for n in names}


def test_foreign_keys_enums_and_dates_are_indexed(db: Path) -> None:
    assert {"article_id", "event_type", "date_start", "date_end"} <= _indexed_first_columns(db, "events")
    assert {"actor_type"} <= _indexed_first_columns(db, "actors")
    assert {"event_id", "actor_id", "mention_id", "article_id"} <= _indexed_first_columns(db, "event_participants")
    assert {"subject_id", "object_id"} <= _indexed_first_columns(db, "affiliations")
    assert {"published_start"} <= _indexed_first_columns(db, "articles")


def test_the_same_package_gives_the_same_bytes_from_a_directory_or_a_zip(
        db: Path, built_package: Path, tmp_path: Path) -> None:
    again = write_sqlite(built_package, tmp_path / "again.db").path
    zipped = tmp_path / "pkg.zip"
    with zipfile.ZipFile(zipped, "w") as zf:
        for path in sorted(built_package.rglob("*")):
            if path.is_file():
                zf.write(path, path.relative_to(built_package).as_posix())
    from_zip = write_sqlite(zipped).path
    assert from_zip == tmp_path / "pkg.db"
    assert again.read_bytes() == db.read_bytes() == from_zip.read_bytes()


def test_event_details_has_each_event_with_participants_amounts_and_evidence(db: Path) -> None:
    assert query(db, "SELECT count(*) FROM event_details") == query(db, "SELECT count(*) FROM events")
    rows = query(db, "SELECT d.sources, d.targets, d.amounts, d.evidence, d.year, e.date_start "
                     "FROM event_details d JOIN events e USING (event_id) WHERE d.event_type = 'penalty'")
    assert rows
    for sources, targets, amounts, evidence, year, date_start in rows:
        assert targets and evidence.strip()
        assert year == int(date_start[:4])
    ant = [r for r in rows if r[1] == "Ant Group"]
    assert ant and ant[0][0] == "People's Bank of China"
    assert ant[0][2] == "US$984 million (USD 984,000,000)"
    (usd,), = query(db, "SELECT value_usd FROM event_details WHERE event_type = 'penalty' AND targets = 'Ant Group'")
    assert usd == 984_000_000


def test_actor_events_has_a_row_per_participation_with_the_evidence(db: Path) -> None:
    assert query(db, "SELECT count(*) FROM actor_events") == query(db, "SELECT count(*) FROM event_participants")
    rows = query(db, "SELECT role, event_type, evidence FROM actor_events WHERE actor = 'Ant Group'")
    assert ("target", "penalty") in {(r[0], r[1]) for r in rows}
    assert all("Ant Group" in r[2] for r in rows)


def test_events_and_actors_are_searchable(db: Path) -> None:
    hits = query(db, "SELECT e.event_type FROM events_fts JOIN events e ON e.rowid = events_fts.rowid "
                     "WHERE events_fts MATCH 'penalty'")
    assert "penalty" in {h[0] for h in hits}
    assert query(db, "SELECT name FROM actors_fts WHERE actors_fts MATCH 'Ant'") == [("Ant Group",)]


def test_the_database_carries_the_package_descriptor(db: Path, built_package: Path) -> None:
    assert stored_descriptor(db) == descriptor(built_package)
    assert query(db, f"SELECT count(*) FROM {DESCRIPTOR_TABLE}") == [(1,)]


def test_cli_writes_beside_the_package_by_default(package_copy: Path, capsys: pytest.CaptureFixture) -> None:
    main(["sqlite", str(package_copy)])
    meta = descriptor(package_copy)
    out = package_copy / "build" / f"{meta['name']}-{meta['version']}.db"
    assert out.is_file() and f"wrote {out}: articles 1" in capsys.readouterr().out


@pytest.mark.parametrize("make", ["missing", "empty_dir", "damaged"])
def test_a_package_that_cannot_be_read_is_one_line(make: str, package_copy: Path, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture) -> None:
    target = {"missing": tmp_path / "nowhere", "empty_dir": tmp_path / "empty", "damaged": package_copy}[make]
    if make == "empty_dir":
        target.mkdir()
    if make == "damaged":
        with (package_copy / "dataset" / "events.parquet").open("ab") as fh:
            fh.write(b"x")
    with pytest.raises(SystemExit) as exit_:
        main(["sqlite", str(target), "--out", str(tmp_path / "out.db")])
    err = capsys.readouterr().err
    assert exit_.value.code == 1
    assert err.count("\n") == 1 and err.startswith(f"error: {target}") and "Traceback" not in err
    assert not (tmp_path / "out.db").exists() and not list(tmp_path.glob(".out.db*"))


def test_a_broken_foreign_key_is_refused_and_nothing_written(package_copy: Path, tmp_path: Path) -> None:
    rewrite(package_copy, "event_participants",
            lambda rows: [{**rows[0], "actor_id": "no-such-actor"}, *rows[1:]])
    with pytest.raises(UserError, match="event_participants row 1 refers to a missing row of actors"):
        write_sqlite(package_copy, tmp_path / "out" / "events.db")
    assert not list((tmp_path / "out").iterdir())


def test_event_details_marks_an_amount_that_converts_another(package_copy: Path, tmp_path: Path) -> None:
    def convert(rows: list[dict]) -> list[dict]:
        first, second = rows[0], rows[1]
        return [first, {**second, "event_id": first["event_id"], "equivalent_of": first["amount_id"]}, *rows[2:]]

    rewrite(package_copy, "amounts", convert)
    db = write_sqlite(package_copy, tmp_path / "events.db").path
    (amounts,), = query(db, "SELECT d.amounts FROM event_details d JOIN amounts a USING (event_id) "
                            "WHERE a.equivalent_of IS NOT NULL")
    first, second = amounts.split("; ")
    assert "conversion" not in first and second.endswith(", a conversion)")
    (usd,), (value,) = query(db, "SELECT d.value_usd FROM event_details d JOIN amounts a USING (event_id) "
                                 "WHERE a.equivalent_of IS NOT NULL"), query(
        db, "SELECT o.value_usd FROM amounts a JOIN amounts o ON o.amount_id = a.equivalent_of")
    assert usd == value  # the conversion is not counted a second time
