"""validate rejects each kind of defect with a located one-line message."""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest
from helpers import SEEDS_DIR, read_rows, refresh_hashes, rewrite
from hypothesis import given, settings
from hypothesis import strategies as st

from bigtech_events.cli import main
from bigtech_events.datapackage import PACKAGE_PROFILE
from bigtech_events.paths import ROOT_ENV
from bigtech_events.release import zip_bytes_to
from bigtech_events.validate import (
    check_path,
    load_descriptor,
    load_lean_descriptor,
    validate_dir,
    validate_path,
)


def _problems(root: Path) -> str:
    return "\n".join(validate_dir(root, seeds_dir=SEEDS_DIR, run_frictionless=False))


def test_built_package_is_valid(built_package: Path):
    assert validate_path(built_package, seeds_dir=SEEDS_DIR) == []


def _set(table_rows, **values):
    rows = [dict(r) for r in table_rows]
    rows[0].update(values)
    return rows


@pytest.mark.parametrize(
    ("table", "values", "message"),
    [
        ("articles", {"title": None}, "articles.parquet:row 1:column title: a required value is missing"),
        ("articles", {"article_id": "Bad ID"}, "column article_id: 'Bad ID' does not match the column's pattern"),
        ("articles", {"char_count": -1}, "column char_count: -1 is out of the allowed range"),
        ("articles", {"published": "July 2023"}, "column published: 'July 2023' is not a valid EDTF date"),
        ("actors", {"actor_type": "robot"}, "column actor_type: 'robot' is not one of the allowed values"),
        ("actors", {"wikidata_id": "Q0"}, "column wikidata_id: 'Q0' does not match"),
        ("amounts", {"value": -3.0}, "column value: -3.0 is out of the allowed range"),
    ],
)
def test_constraint_violations_are_reported(package_copy: Path, table, values, message):
    if not read_rows(package_copy, table):
        pytest.skip(f"{table} has no rows in this build")
    rewrite(package_copy, table, lambda rows: _set(rows, **values))
    assert message in _problems(package_copy)


def test_unique_violation_is_reported(package_copy: Path):
    rewrite(package_copy, "articles", lambda rows: rows + rows)
    assert "is not unique" in _problems(package_copy)


def test_composite_primary_key_violation_is_reported(package_copy: Path):
    if not read_rows(package_copy, "actor_aliases"):
        pytest.skip("no aliases in this build")
    rewrite(package_copy, "actor_aliases", lambda rows: rows + rows[:1])
    assert "primary key repeats" in _problems(package_copy)


def test_malformed_date_in_csv_is_reported(package_copy: Path):
    rewrite(package_copy, "articles", lambda rows: _set(rows, published_start="2024-13-45"), parquet=False)
    assert "articles.csv:line 2:column published_start: '2024-13-45' is not a valid date" in _problems(package_copy)


def test_broken_foreign_key_is_reported(package_copy: Path):
    if not read_rows(package_copy, "mentions"):
        pytest.skip("no mentions in this build")
    rewrite(package_copy, "mentions", lambda rows: _set(rows, actor_id="no-such-actor"))
    assert "mentions:row 1:column actor_id: 'no-such-actor' is not a actors.actor_id" in _problems(package_copy)


def test_wrong_hash_is_reported(package_copy: Path):
    path = package_copy / "datapackage.json"
    d = json.loads(path.read_text())
    d["resources"][0]["hash"] = "sha256:" + "0" * 64
    path.write_text(json.dumps(d))
    assert "resource articles: hash does not match dataset/articles.csv" in _problems(package_copy)


def test_changed_file_is_reported(package_copy: Path):
    with open(package_copy / "dataset" / "articles.parquet", "ab") as fh:
        fh.write(b"x")
    assert "articles (parquet): bytes is" in _problems(package_copy)


def test_csv_parquet_mismatch_is_reported(package_copy: Path):
    rewrite(package_copy, "articles", lambda rows: _set(rows, title="Another title"), parquet=False)
    assert "articles.csv:line 2:column title: CSV has 'Another title'" in _problems(package_copy)


def test_span_that_does_not_reproduce_its_text_is_reported(package_copy: Path):
    if not read_rows(package_copy, "mentions"):
        pytest.skip("no mentions in this build")
    rewrite(package_copy, "mentions", lambda rows: _set(rows, text="Somebody Else"))
    assert "not the recorded 'Somebody Else'" in _problems(package_copy)


def test_unlisted_file_is_reported(package_copy: Path):
    (package_copy / "dataset" / "stray.csv").write_text("a\n1\n")
    refresh_hashes(package_copy)
    assert "dataset/stray.csv: file is not listed" in _problems(package_copy)


def test_cli_validate_exits_nonzero_with_one_line_per_problem(package_copy: Path):
    import subprocess
    import sys

    rewrite(package_copy, "articles", lambda rows: _set(rows, char_count=-1))
    proc = subprocess.run([sys.executable, "-m", "bigtech_events", "validate", str(package_copy),
                           "--no-frictionless"], capture_output=True, text=True, check=False)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert all(line.startswith("error: ") for line in proc.stderr.strip().splitlines())


# ------------------------------------------------- a release whose article texts are not at hand

SKIPPED = "span checks skipped for 1 of 1 article(s) (article texts absent: 1 article: "


def _release_zip(root: Path, dest: Path) -> Path:
    """A zip of the package as a release holds it: descriptor and tables, no article texts."""
    files = [root / "datapackage.json", *sorted((root / "dataset").iterdir())]
    zip_bytes_to({str(p.relative_to(root)): p.read_bytes() for p in files}, dest)
    return dest


def _validate_cli(capsys, *args: str) -> tuple[int, str, str]:
    try:
        main(["validate", *args, "--no-frictionless"])
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_a_release_without_its_texts_validates_and_says_which_span_checks_were_skipped(
        built_package: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys):
    zipped = _release_zip(built_package, tmp_path / "release.zip")
    monkeypatch.delenv(ROOT_ENV, raising=False)  # no checkout, so no seeds/
    monkeypatch.chdir(tmp_path)
    code, out, err = _validate_cli(capsys, str(zipped))
    assert code == 0, err
    (skipped,) = [line for line in out.splitlines() if "span checks skipped" in line]
    assert SKIPPED in skipped and "pass --seeds DIR" in skipped
    assert out.splitlines()[-1] == f"{zipped}: valid"
    code, out, err = _validate_cli(capsys, str(zipped), "--seeds", str(SEEDS_DIR))
    assert code == 0, err
    assert "skipped" not in out and out.splitlines()[-1] == f"{zipped}: valid"


def test_span_checks_run_with_the_texts_and_are_skipped_without_them(package_copy: Path, tmp_path: Path,
                                                                      capsys):
    rewrite(package_copy, "mentions", lambda rows: _set(rows, text="Somebody Else"))
    code, _, err = _validate_cli(capsys, str(package_copy), "--seeds", str(SEEDS_DIR))
    assert code == 1 and "not the recorded 'Somebody Else'" in err
    empty = tmp_path / "no-texts"
    empty.mkdir()
    code, out, err = _validate_cli(capsys, str(package_copy), "--seeds", str(empty))
    assert code == 0 and err == "" and SKIPPED in out
    report = check_path(package_copy, seeds_dir=empty, run_frictionless=False)
    assert report.problems == [] and report.texts_absent == [read_rows(package_copy, "articles")[0]["article_id"]]


def test_a_text_that_is_not_the_one_built_from_is_still_an_error(built_package: Path, tmp_path: Path, capsys):
    other = tmp_path / "seeds"
    other.mkdir()
    for row in read_rows(built_package, "articles"):
        (other / f"{row['article_id']}.txt").write_text("Another text.", encoding="utf-8")
    code, _, err = _validate_cli(capsys, str(built_package), "--seeds", str(other))
    assert code == 1 and "column text_sha256: the seed text" in err


def test_build_and_release_still_require_every_text(built_package: Path, tmp_path: Path):
    problems = validate_dir(built_package, seeds_dir=tmp_path, run_frictionless=False)
    assert problems and all("is missing; spans cannot be checked" in p for p in problems)


# ---------------------------------------------------------------- batches and columns


@pytest.fixture
def small_batches(monkeypatch: pytest.MonkeyPatch) -> int:
    """Validation reads 3 rows at a time, so that a table spans several batches."""
    import bigtech_events.validate_keys as keys
    import bigtech_events.validate_tables as tables

    monkeypatch.setattr(tables, "BATCH_ROWS", 3)
    monkeypatch.setattr(keys, "BATCH_ROWS", 3)
    return 3


def test_a_primary_key_repeated_across_batches_is_reported(package_copy: Path, small_batches: int):
    rows = read_rows(package_copy, "actor_aliases")
    if len(rows) <= small_batches:
        pytest.skip("too few aliases in this build")
    rewrite(package_copy, "actor_aliases", lambda rows: rows + rows[:1])
    found = _problems(package_copy)
    assert f"actor_aliases.parquet:row {len(rows) + 1}:column actor_id: primary key repeats" in found
    assert "actor_aliases.parquet:row 1:column actor_id: primary key repeats" in found
    assert f"actor_aliases.csv:line {len(rows) + 2}:column alias: primary key repeats" in found


def test_a_unique_value_repeated_across_batches_is_reported(package_copy: Path, small_batches: int):
    rows = read_rows(package_copy, "mentions")
    if len(rows) <= small_batches:
        pytest.skip("too few mentions in this build")
    rewrite(package_copy, "mentions", lambda rows: rows + rows[:1])
    found = _problems(package_copy)
    assert f"mentions.parquet:row {len(rows) + 1}:column mention_id: value {rows[0]['mention_id']!r} is not unique" \
        in found


def test_defects_in_a_later_batch_are_located_by_their_row(package_copy: Path, small_batches: int):
    rows = read_rows(package_copy, "mentions")
    if len(rows) < 2 * small_batches + 2:
        pytest.skip("too few mentions in this build")
    last = len(rows) - 1
    rewrite(package_copy, "mentions", lambda rows: _set_at(rows, last, actor_id="no-such-actor", text="Nobody"))
    found = _problems(package_copy)
    assert f"mentions:row {last + 1}:column actor_id: 'no-such-actor' is not a actors.actor_id" in found
    assert f"mentions:row {last + 1}:column text: text[" in found and "not the recorded 'Nobody'" in found


def test_csv_and_parquet_differing_in_a_later_batch_give_the_first_difference(package_copy: Path,
                                                                               small_batches: int):
    rows = read_rows(package_copy, "mentions")
    if len(rows) < 2 * small_batches + 2:
        pytest.skip("too few mentions in this build")
    late, early = len(rows) - 1, small_batches + 1
    # the text column differs late, the actor_id column (before it in the schema) early
    rewrite(package_copy, "mentions",
            lambda rows: _set_at(_set_at(rows, late, text="Other words"), early, actor_id="someone-else"),
            parquet=False)
    found = _problems(package_copy).splitlines()
    differences = [line for line in found if "but Parquet has" in line]
    assert differences == [(f"mentions.csv:line {early + 2}:column actor_id: CSV has 'someone-else' but Parquet "
                            f"has {rows[early]['actor_id']!r}; rebuild the package")]


def _set_at(rows, k, **values):
    rows = [dict(r) for r in rows]
    rows[k].update(values)
    return rows


def test_a_required_span_text_missing_is_reported_not_a_crash(package_copy: Path):
    if not read_rows(package_copy, "mentions"):
        pytest.skip("no mentions in this build")
    rewrite(package_copy, "mentions", lambda rows: _set(rows, text=None))
    assert "mentions.parquet:row 1:column text: a required value is missing" in _problems(package_copy)


def test_frictionless_pass_by_resource_says_what_one_package_run_says(package_copy: Path):
    from frictionless import Package

    from bigtech_events.validate import _frictionless_lines, frictionless_check

    path = package_copy / "dataset" / "articles.csv"
    header, first, *rest = path.read_text(encoding="utf-8").split("\n")
    path.write_text("\n".join([header, first.replace(",", ",x", 1), *rest]), encoding="utf-8")
    refresh_hashes(package_copy)
    descriptor = json.loads((package_copy / "datapackage.json").read_text(encoding="utf-8"))
    tasks, errors = _frictionless_lines(Package(descriptor, basepath=str(package_copy)).validate())
    by_resource = frictionless_check(package_copy, jobs=2)
    assert by_resource == tasks + errors
    assert by_resource


def test_a_csv_cell_left_empty_where_parquet_has_a_value_is_a_difference(package_copy: Path):
    url = read_rows(package_copy, "articles")[0]["url"]
    if url is None:
        pytest.skip("the first article has no url")
    rewrite(package_copy, "articles", lambda rows: _set(rows, url=None), parquet=False)
    assert f"articles.csv:line 2:column url: CSV has <NA> but Parquet has {url!r}" in _problems(package_copy)


# ---------------------------------------------------------------- defects more than 10,000 rows in


def _many_mentions(rows, n: int = 12_000):
    """The mentions repeated (same article, same spans) to ``n`` rows, the copies with ids of their own."""
    return [{**rows[i % len(rows)], **({"mention_id": f"m-{i:016x}"} if i >= len(rows) else {})}
            for i in range(n)]


@pytest.mark.parametrize("case", ["in article order", "keys by hash", "out of article order"])
def test_defects_past_ten_thousand_rows_are_found_at_their_rows(package_copy: Path, monkeypatch, case: str):
    """A repeated key, a dangling reference and a wrong span, all past the first 10,000 rows (so
    in a later batch at the validation's own batch size), with the tables in article order, with
    the referred keys looked up by hash, and with a row out of article order (the checks that
    read tables in step by article must notice it and still find every defect)."""
    import bigtech_events.validate_keys as keys

    if not read_rows(package_copy, "mentions"):
        pytest.skip("no mentions in this build")
    if case == "keys by hash":
        monkeypatch.setattr(keys, "EXACT_KEYS", 0)

    def plant(rows):
        rows = _many_mentions(rows)
        rows[11_000]["mention_id"] = rows[10_500]["mention_id"]
        rows[10_800]["actor_id"] = "no-such-actor"
        rows[11_500]["text"] = "Nobody"
        if case == "out of article order":
            rows[10_200]["article_id"] = "a-out-of-order"
        return rows

    rewrite(package_copy, "mentions", plant)
    rows = read_rows(package_copy, "mentions")
    found = _problems(package_copy)
    repeated = rows[10_500]["mention_id"]
    for row in (10_501, 11_001):
        assert f"mentions.parquet:row {row}:column mention_id: value {repeated!r} is not unique" in found
        assert f"mentions.csv:line {row + 1}:column mention_id: value {repeated!r} is not unique" in found
    assert "mentions:row 10801:column actor_id: 'no-such-actor' is not a actors.actor_id" in found
    assert "mentions:row 11501:column text: text[" in found and "not the recorded 'Nobody'" in found
    if case == "out of article order":
        assert "mentions:row 10201:column article_id: 'a-out-of-order' is not a articles.article_id" in found
    assert found.count("is not unique") == 4 and found.count("'no-such-actor' is not a") == 1
    assert found.count("not the recorded") == 1


def test_a_participant_span_past_ten_thousand_rows_is_checked_in_and_out_of_article_order(package_copy: Path):
    """A participant naming a mention past the first 10,000 rows is compared with that mention's
    span, whether the mentions are read in step by article or joined (a row out of order)."""
    parts = read_rows(package_copy, "event_participants")
    named = [k for k, p in enumerate(parts) if p["mention_id"] is not None]
    if not named:
        pytest.skip("no participant names a mention in this build")
    k = named[0]
    for out_of_order in (False, True):
        def plant(rows, out_of_order=out_of_order):
            rows = _many_mentions(rows)
            rows[11_000]["mention_id"] = parts[k]["mention_id"]
            rows[11_000]["char_start"] = parts[k]["char_start"]
            rows[11_000]["char_end"] = parts[k]["char_end"]
            original = next(i for i, r in enumerate(rows[:11_000]) if r["mention_id"] == parts[k]["mention_id"])
            rows[original]["mention_id"] = "m-ffffffffffffffff"
            rows[11_000]["char_start"] += 1
            if out_of_order:
                rows[10_200]["article_id"] = "a-out-of-order"
            return rows

        copy = package_copy.parent / f"pkg-{out_of_order}"
        shutil.copytree(package_copy, copy)
        rewrite(copy, "mentions", plant)
        found = _problems(copy)
        assert f"event_participants:row {k + 1}:column char_start: span differs from its mention " \
            f"{parts[k]['mention_id']}" in found


def test_tables_checked_in_workers_give_the_lines_of_one_process(package_copy: Path, tmp_path: Path):
    """Problems in several tables, a dangling reference and a wrong span: the same lines, in table
    order, whether the tables are checked one after another or in worker processes (largest first,
    the span checks and the checks across tables beside them); the same with a table whose Parquet file cannot be read, where the span checks
    are made again after the table checks, and with the texts absent."""
    rewrite(package_copy, "articles", lambda rows: _set(rows, char_count=-1))
    rewrite(package_copy, "actors", lambda rows: _set(rows, actor_type="robot"))
    rewrite(package_copy, "mentions", lambda rows: _set(rows + rows[:1], text="Somebody Else"))
    rewrite(package_copy, "event_participants", lambda rows: _set(rows, actor_id="no-such-actor"))

    def report(jobs: int, seeds: Path) -> tuple[list[str], list[str]]:
        got = check_path(package_copy, seeds_dir=seeds, run_frictionless=False, jobs=jobs)
        return got.problems, got.texts_absent

    one = report(1, SEEDS_DIR)
    assert report(2, SEEDS_DIR) == one
    assert list(dict.fromkeys(p.split(".")[0].split(":")[0] for p in one[0])) == ["articles", "actors", "mentions", "event_participants"], one
    assert any("not the recorded 'Somebody Else'" in p for p in one[0])
    assert any("'no-such-actor' is not a actors.actor_id" in p for p in one[0])  # checked in a worker too
    empty = tmp_path / "no-texts"
    empty.mkdir()
    assert report(2, empty) == report(1, empty) and report(1, empty)[1]
    (package_copy / "dataset" / "events.parquet").write_bytes(b"PAR1 not a parquet file")
    assert report(2, SEEDS_DIR) == report(1, SEEDS_DIR)


def _lean_and_whole(root: Path) -> tuple[tuple[Any, list[str]], tuple[Any, list[str]]]:
    lean = load_lean_descriptor(root)
    whole = load_descriptor(root)
    if isinstance(whole[0], dict):
        whole[0].pop("sources", None)
    return lean, whole


@pytest.mark.parametrize("change", ["none", "resources", "profile", "array", "truncated", "latin-1", "bom",
                                    "nan", "empty"])
def test_the_descriptor_read_as_a_stream_gives_what_the_whole_file_gives(package_copy: Path, change: str):
    """validate reads datapackage.json as a stream, without its sources: the same descriptor
    (less the sources) and the same problems, line numbers included, as reading it whole."""
    path = package_copy / "datapackage.json"
    text = path.read_text(encoding="utf-8")
    assert '"sources": [' in text
    changed = {"none": text, "resources": text.replace('"resources": [', '"resources": [[', 1),
               "profile": text.replace(PACKAGE_PROFILE, "x"), "array": "[1]", "truncated": text[: len(text) // 2],
               "bom": "\ufeff" + text, "nan": text.replace('"resources": [', '"x": NaN, "resources": [', 1),
               "empty": ""}
    if change == "latin-1":
        path.write_bytes(text.encode("utf-8").replace(b'"resources"', b'"resources\xff"', 1))
    else:
        path.write_text(changed[change], encoding="utf-8")
    lean, whole = _lean_and_whole(package_copy)
    assert lean == whole
    assert (change in ("none", "profile", "nan")) == (lean[0] is not None)
    if lean[0] is not None:
        assert "sources" not in lean[0] and lean[0]["resources"]


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-2**70, 2**70) | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(["sources", "a", "b", "é"]), inner,
                                                                max_size=4),
    max_leaves=20)


@settings(max_examples=150, deadline=None)
@given(descriptor=st.dictionaries(st.sampled_from(["sources", "resources", "name", "sources2", "x"]), _json_values,
                                  max_size=5))
def test_the_descriptor_stream_leaves_out_the_top_level_sources_and_nothing_else(descriptor: dict[str, Any]):
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "datapackage.json").write_text(json.dumps(descriptor, indent=2), encoding="utf-8")
        lean, whole = _lean_and_whole(Path(tmp))
    assert lean == whole
