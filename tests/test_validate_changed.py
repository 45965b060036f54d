"""Span checks limited to some articles (a build whose other articles' rows are copies of rows its
last build validated) find exactly the problems of those articles that a full check finds."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from helpers import REPO, RULES_DIR, read_rows, rewrite
from hypothesis import given, settings
from hypothesis import strategies as st

import bigtech_events.validate as validate_mod
import bigtech_events.validate_spans as spans_mod
from bigtech_events.build import build
from bigtech_events.evaluate import prepare_seeds
from bigtech_events.validate import validate_dir
from bigtech_events.validate_spans import check_spans

SYNTHETIC = REPO / "tests" / "fixtures" / "synthetic"
SPAN_TABLES = ("mentions", "events", "event_mentions", "affiliations", "amounts")


@pytest.fixture(scope="module")
def seeds(tmp_path_factory: pytest.TempPathFactory) -> Path:
    found = tmp_path_factory.mktemp("seeds")
    prepare_seeds(SYNTHETIC, found)
    return found


@pytest.fixture(scope="module")
def broken(seeds: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The synthetic corpus' package with wrong spans planted in every span table and in the
    participants, in rows of several articles (every third row of each table)."""
    out = tmp_path_factory.mktemp("pkg")
    build(seeds, RULES_DIR, out, jobs=1)
    column = {"mentions": "text", "amounts": "text"}

    def plant(table: str):
        def change(rows):
            for k in range(0, len(rows), 3):
                if table == "event_participants":
                    if rows[k]["mention_id"] is not None:
                        rows[k]["char_start"] += 1
                else:
                    rows[k][column.get(table, "evidence")] = "words that are not there"
                    if table == "events":
                        rows[k]["trigger"] = "nothing"
            return rows
        return change

    for table in (*SPAN_TABLES, "event_participants"):
        rewrite(out, table, plant(table))
    return out


def _paths(root: Path) -> tuple[dict[str, Path], dict[str, dict]]:
    descriptor = json.loads((root / "datapackage.json").read_text(encoding="utf-8"))
    paths = {r["name"]: root / r["parquet"]["path"] for r in descriptor["resources"]}
    return paths, {r["name"]: r["schema"] for r in descriptor["resources"]}


def _article_of(root: Path, line: str) -> str:
    table, row = re.match(r"(\w+):row (\d+):", line).groups()
    return read_rows(root, table)[int(row) - 1]["article_id"]


def test_every_planted_problem_is_found_by_the_full_check(broken: Path, seeds: Path):
    paths, schemas = _paths(broken)
    problems, absent = check_spans(paths, schemas, seeds)
    assert absent == []
    for table in (*SPAN_TABLES, "event_participants"):
        assert any(p.startswith(f"{table}:row ") for p in problems), table
    assert len({_article_of(broken, p) for p in problems}) > 3


@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_checking_some_articles_finds_their_problems_and_no_others(broken: Path, seeds: Path, data):
    paths, schemas = _paths(broken)
    articles = [r["article_id"] for r in read_rows(broken, "articles")]
    only = data.draw(st.sets(st.sampled_from([*articles, "no-such-article"])))
    full, _ = check_spans(paths, schemas, seeds)
    rows = data.draw(st.sampled_from([3, 64, 4096]), label="rows per batch")
    with pytest.MonkeyPatch.context() as patch:  # the rows of an article split across batches
        patch.setattr(spans_mod, "SPAN_ROWS", rows)
        patch.setattr(spans_mod, "BATCH_ROWS", rows)
        problems, absent = check_spans(paths, schemas, seeds, only)
    assert problems == [p for p in full if _article_of(broken, p) in only]
    assert absent == []


def test_an_absent_or_changed_text_is_reported_only_for_the_articles_checked(broken: Path, seeds: Path,
                                                                          tmp_path: Path):
    paths, schemas = _paths(broken)
    first, second, *_ = [r["article_id"] for r in read_rows(broken, "articles")]
    texts = tmp_path / "texts"
    texts.mkdir()
    (texts / f"{second}.txt").write_text("another text", encoding="utf-8")
    problems, absent = check_spans(paths, schemas, texts, {first, second})
    assert absent == [first]
    assert [p.split(":column")[0] for p in problems if "text_sha256" in p] == [f"articles:article {second}"]


def test_an_incremental_build_checks_the_spans_of_the_changed_articles(seeds: Path, tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch):
    """The first build with a cache checks every article's spans; the next, after one article is
    added, those of that article (every other is copied from the snapshot); a build without a
    cache checks every article's."""
    asked: list[object] = []

    def spy(*args, **kwargs):
        asked.append(kwargs.get("span_articles"))
        return validate_dir(*args, **kwargs)

    monkeypatch.setattr(validate_mod, "validate_dir", spy)
    corpus = tmp_path / "seeds"
    corpus.mkdir()
    texts = sorted(seeds.glob("*.txt"))
    for text in texts[1:]:
        for path in (text, text.with_suffix(".yaml")):
            (corpus / path.name).write_bytes(path.read_bytes())
    cache = tmp_path / "cache"
    build(corpus, RULES_DIR, tmp_path / "out", cache_dir=cache)
    for path in (texts[0], texts[0].with_suffix(".yaml")):
        (corpus / path.name).write_bytes(path.read_bytes())
    build(corpus, RULES_DIR, tmp_path / "out", cache_dir=cache)
    build(corpus, RULES_DIR, tmp_path / "clean")
    assert asked == [None, {texts[0].stem}, None]
