"""diff matches rows by primary key, names changed columns and schema changes, and says which bump they need."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyarrow as pa
import pytest
from click.testing import CliRunner
from helpers import RULES_DIR, SEEDS_DIR, read_rows, refresh_hashes, rewrite
from test_load import rich_package, zip_package

from bigtech_events.build import build
from bigtech_events.cli import cli
from bigtech_events.diff import diff_paths, render_json, render_text, schema_changes
from bigtech_events.schemas import TABLES
from bigtech_events.writer import write_table


@pytest.fixture(scope="module")
def old(built_package: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return rich_package(built_package, tmp_path_factory.mktemp("diff") / "old")


@pytest.fixture()
def new(old: Path, tmp_path: Path) -> Path:
    dest = tmp_path / "new"
    shutil.copytree(old, dest)
    return dest


def _edit_events(rows):
    """Drop the first event, change two columns of the second, add a new one."""
    rows = [dict(r) for r in rows]
    removed = rows.pop(0)
    rows[0]["summary"] = "corrected summary"
    rows[0]["date_end"] = None
    added = dict(removed, event_id="event_id-99")
    return [*rows, added]


def test_identical_packages_have_no_changes(old: Path):
    d = diff_paths(old, old)
    assert all(t.is_empty for t in d.tables)
    assert [t.table for t in d.tables] == list(TABLES)
    assert d.required_bump() == ("none", "no changes")


def test_rows_added_removed_and_changed_are_matched_by_primary_key(old: Path, new: Path):
    rewrite(new, "events", _edit_events)
    d = diff_paths(old, new)
    events = next(t for t in d.tables if t.table == "events")
    assert events.added == [{"event_id": "event_id-99"}]
    assert events.removed == [{"event_id": "event_id-0"}]
    assert [c["key"] for c in events.changed] == [{"event_id": "event_id-1"}]
    changes = events.changed[0]["changes"]
    assert set(changes) == {"summary", "date_end"}
    assert changes["summary"] == ["summary-1", "corrected summary"]
    assert changes["date_end"][1] is None
    assert all(t.is_empty for t in d.tables if t.table != "events")
    assert d.required_bump() == ("minor", "events: 1 row(s) added")


def test_composite_keys_are_matched_on_all_their_columns(old: Path, new: Path):
    rewrite(new, "event_participants", lambda rows: [dict(rows[0], role="target"), *rows[1:]])
    t = next(t for t in diff_paths(old, new).tables if t.table == "event_participants")
    assert len(t.added) == 1 and len(t.removed) == 1 and not t.changed
    assert set(t.added[0]) == {"event_id", "actor_id", "role"}


def test_only_removed_or_changed_rows_need_a_patch(old: Path, new: Path):
    rewrite(new, "amounts", lambda rows: [dict(rows[0], value=1e9), *rows[2:]])
    assert diff_paths(old, new).required_bump()[0] == "patch"


def _drop_column(root: Path, table: str, column: str) -> None:
    path = root / "datapackage.json"
    d = json.loads(path.read_text())
    res = next(r for r in d["resources"] if r["name"] == table)
    res["schema"]["fields"] = [f for f in res["schema"]["fields"] if f["name"] != column]
    rows = [{k: v for k, v in r.items() if k != column} for r in read_rows(root, table)]
    write_table(table, res["schema"], root / "dataset", rows)
    path.write_text(json.dumps(d, indent=2))
    refresh_hashes(root)


def test_removed_column_is_a_schema_change_needing_a_major_bump(old: Path, new: Path):
    _drop_column(new, "events", "location")
    d = diff_paths(old, new)
    events = next(t for t in d.tables if t.table == "events")
    assert [(c.level, c.what) for c in events.schema] == [("major", "column location removed")]
    assert not events.changed, "rows are compared on the columns both versions have"
    assert d.required_bump() == ("major", "events: column location removed")
    reverse = diff_paths(new, old)
    assert reverse.required_bump() == ("minor", "events: column location added")


def test_schema_changes_are_classified():
    old = {"fields": [{"name": "a", "type": "string", "constraints": {"enum": ["x", "y"]}},
                      {"name": "b", "type": "integer", "description": "B"}],
           "primaryKey": ["a"]}
    new = {"fields": [{"name": "a", "type": "string", "constraints": {"enum": ["x", "z"]}},
                      {"name": "b", "type": "number", "description": "B, in units"}],
           "primaryKey": ["a", "b"]}
    got = {(c.level, c.what) for c in schema_changes(old, new)}
    assert got == {
        ("major", "column a enum values removed: y"),
        ("minor", "column a enum values added: z"),
        ("major", "column b type integer -> number"),
        ("patch", "column b description changed"),
        ("major", "primary key ['a'] -> ['a', 'b']"),
    }


def test_zips_and_directories_diff_alike(old: Path, new: Path, tmp_path: Path):
    rewrite(new, "events", _edit_events)
    from_zips = diff_paths(zip_package(old, tmp_path / "old.zip"), zip_package(new, tmp_path / "new.zip"))
    assert from_zips.to_dict() == diff_paths(old, new).to_dict()


def test_cli_diff_prints_text_and_json(old: Path, new: Path):
    rewrite(new, "events", _edit_events)
    runner = CliRunner()
    text = runner.invoke(cli, ["diff", str(old), str(new)])
    assert text.exit_code == 0, text.output
    assert "events: 1 added, 1 removed, 1 changed (4 -> 4 rows)" in text.output
    changed = next(ln for ln in text.output.splitlines() if ln.startswith("  ~ event_id-1: "))
    assert "summary 'summary-1' -> 'corrected summary'" in changed
    assert "date_end '2023-07-02' -> None" in changed
    assert "  + event_id-99" in text.output and "  - event_id-0" in text.output
    assert "articles: unchanged (4 rows)" in text.output
    assert text.output.rstrip().endswith("version bump needed: minor (events: 1 row(s) added)")
    out = runner.invoke(cli, ["diff", str(old), str(new), "--format", "json"])
    data = json.loads(out.output)
    assert data["required_bump"] == "minor"
    assert data["tables"]["events"]["removed"] == [{"event_id": "event_id-0"}]
    assert sorted(data["tables"]["events"]["changed"][0]["changes"]) == ["date_end", "summary"]


def test_text_output_is_limited_per_table(old: Path, new: Path):
    rewrite(new, "mentions", lambda rows: [])
    d = diff_paths(old, new)
    assert "… and 2 more (see --format json)" in render_text(d, limit=2)
    assert len(json.loads(render_json(d))["tables"]["mentions"]["removed"]) == 4


def test_cli_diff_of_a_missing_path_is_one_line(tmp_path: Path):
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-m", "bigtech_events", "diff", str(tmp_path / "nope"),
                           str(tmp_path)], capture_output=True, text=True, check=False)
    assert proc.returncode == 1
    assert proc.stderr.startswith("error: ") and proc.stderr.count("\n") == 1
    assert "not a package directory or release zip" in proc.stderr


def test_adding_an_unrelated_article_changes_no_existing_row(built_package: Path, tmp_path: Path):
    """Ids are functions of content: a second article only adds rows."""
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS_DIR, seeds)
    for src in sorted(SEEDS_DIR.iterdir()):
        stem, suffix = src.name.rsplit(".", 1)
        (seeds / f"zz-copy-of-{stem}"[:80].rstrip("-")).with_suffix(f".{suffix}").write_bytes(src.read_bytes())
    build(seeds, RULES_DIR, tmp_path / "pkg", jobs=1, run_frictionless=False)
    d = diff_paths(built_package, tmp_path / "pkg")
    assert not any(t.removed or t.changed or t.schema for t in d.tables), render_text(d)
    articles = next(t for t in d.tables if t.table == "articles")
    assert len(articles.added) == len(list(SEEDS_DIR.glob("*.txt")))


def test_diff_compares_values_with_nulls_as_equal():
    from bigtech_events.diff import row_changes

    a = pa.table({"k": ["1", "2"], "v": pa.array([None, 1.0], pa.float64())})
    b = pa.table({"k": ["1", "2"], "v": pa.array([None, None], pa.float64())})
    d = row_changes(a, b, ["k"], ["k", "v"])
    assert d.changed == [{"key": {"k": "2"}, "changes": {"v": [1.0, None]}}]
