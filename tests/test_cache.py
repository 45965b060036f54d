"""The extraction cache: a build with it writes the bytes of a clean build and re-extracts only what changed."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import REPO, RULES_DIR, SCHEMAS_DIR, SEEDS_DIR

from bigtech_events import build as build_mod
from bigtech_events.build import Extraction, build
from bigtech_events.cache import MAGIC, ExtractCache, Extracted, decode, encode
from bigtech_events.datapackage import source_entry
from bigtech_events.evaluate import prepare_seeds
from bigtech_events.extract import Extractor
from bigtech_events.extract.pipeline import PER_ARTICLE_TABLES, ArticleResult
from bigtech_events.ruleset import load_rules
from bigtech_events.schemas import load_schemas
from bigtech_events.seeds import iter_articles
from bigtech_events.writer import RowOrder

SYNTHETIC = REPO / "tests" / "fixtures" / "synthetic"


def _digests(root: Path) -> dict[str, str]:
    files = [root / "datapackage.json", *sorted((root / "dataset").iterdir())]
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


@pytest.fixture()
def seeds(tmp_path: Path) -> Path:
    """The repository's seed and four synthetic articles, in a directory a test may change."""
    every = tmp_path / "all-synthetic"
    every.mkdir()
    prepare_seeds(SYNTHETIC, every)
    dest = tmp_path / "seeds"
    shutil.copytree(SEEDS_DIR, dest)
    for txt in sorted(every.glob("*.txt"))[:4]:
        for path in (txt, txt.with_suffix(".yaml")):
            shutil.copyfile(path, dest / path.name)
    return dest


def _rebuild_matches_clean(seeds: Path, cache: Path, tmp_path: Path, name: str, rules: Path = RULES_DIR) -> int:
    """Build with the cache and without it; assert the same bytes; return how many were extracted."""
    cached = build(seeds, rules, tmp_path / f"{name}-cached", jobs=1, run_frictionless=False, cache_dir=cache)
    clean = build(seeds, rules, tmp_path / f"{name}-clean", jobs=1, run_frictionless=False)
    assert _digests(cached.out_dir) == _digests(clean.out_dir)
    assert clean.extracted is None
    assert cached.extracted is not None
    return cached.extracted


def _ids(seeds: Path) -> list[str]:
    return sorted(p.stem for p in seeds.glob("*.txt"))


def test_entries_give_back_the_rows_extraction_gave(seeds: Path, tmp_path: Path):
    extractor = Extractor(load_rules(RULES_DIR))
    prepare_seeds(SYNTHETIC, seeds)  # every synthetic article, not only four
    for article in iter_articles(seeds):
        result = extractor.extract(article)
        data = encode("k" * 64, Extracted(source_entry(article), result))
        back = decode(data, "k" * 64, article.article_id)
        assert back is not None, article.article_id
        assert back.source == source_entry(article)
        got = back.result
        assert (got.article_row, got.rows, got.actors, got.aliases) == (
            result.article_row, result.rows, result.actors, result.aliases)
        for table, rows in result.rows.items():  # the same types, not only equal values (1 == 1.0)
            assert [[type(v) for v in r.values()] for r in got.rows[table]] == \
                [[type(v) for v in r.values()] for r in rows]


def test_adding_altering_and_removing_an_article_gives_the_clean_build(seeds: Path, tmp_path: Path):
    cache = tmp_path / "cache"
    assert _rebuild_matches_clean(seeds, cache, tmp_path, "first") == len(_ids(seeds))
    assert _rebuild_matches_clean(seeds, cache, tmp_path, "again") == 0

    new = tmp_path / "all-synthetic"
    added = sorted(new.glob("*.txt"))[5]
    for path in (added, added.with_suffix(".yaml")):
        shutil.copyfile(path, seeds / path.name)
    assert _rebuild_matches_clean(seeds, cache, tmp_path, "added") == 1

    text = seeds / f"{_ids(seeds)[1]}.txt"
    text.write_text(text.read_text(encoding="utf-8").replace(" the ", " The ", 1), encoding="utf-8")
    assert _rebuild_matches_clean(seeds, cache, tmp_path, "altered") == 1

    meta = seeds / f"{_ids(seeds)[2]}.yaml"
    meta.write_text(meta.read_text(encoding="utf-8").replace("title: ", "title: Revised ", 1), encoding="utf-8")
    assert _rebuild_matches_clean(seeds, cache, tmp_path, "retitled") == 1

    gone = seeds / f"{_ids(seeds)[3]}.txt"
    gone.unlink()
    gone.with_suffix(".yaml").unlink()
    assert _rebuild_matches_clean(seeds, cache, tmp_path, "removed") == 0


def test_a_changed_rule_file_invalidates_every_entry(seeds: Path, tmp_path: Path, rules_copy: Path):
    cache = tmp_path / "cache"
    build(seeds, rules_copy, tmp_path / "first", jobs=1, run_frictionless=False, cache_dir=cache)
    rule_file = min(rules_copy.glob("*.yaml"))
    rule_file.write_text(rule_file.read_text(encoding="utf-8") + "\n# a curator's note\n", encoding="utf-8")
    assert _rebuild_matches_clean(seeds, cache, tmp_path, "ruled", rules_copy) == len(_ids(seeds))


def _entries(cache: Path) -> list[Path]:
    return sorted(cache.rglob("*.entry"))


def test_damaged_foreign_and_misplaced_entries_are_extracted_again(seeds: Path, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch):
    cache = tmp_path / "cache"
    build(seeds, RULES_DIR, tmp_path / "first", jobs=1, run_frictionless=False, cache_dir=cache)
    for snapshot in cache.glob("*/snapshot"):  # the entries are read only for articles it does not hold
        shutil.rmtree(snapshot)
    monkeypatch.setattr(build_mod, "_WORKER", None)  # as in a new process: every entry is there, no rules compiled
    first, second, third, fourth, fifth = _entries(cache)
    first.write_bytes(first.read_bytes()[:-10])  # truncated
    body = bytearray(second.read_bytes())
    body[-5] ^= 0xFF  # one byte changed
    second.write_bytes(bytes(body))
    third.write_bytes(b"bigtech-events-cache 0\n" + third.read_bytes()[len(MAGIC):])  # another format
    fourth.write_bytes(fifth.read_bytes())  # another article's entry under this key
    (first.parent / ".tmp-left-by-a-killed-build.part").write_bytes(b"bigtech")
    assert _rebuild_matches_clean(seeds, cache, tmp_path, "repaired") == 4
    assert _rebuild_matches_clean(seeds, cache, tmp_path, "after") == 0  # the bad entries were rewritten


def test_a_cache_that_cannot_be_written_costs_only_speed(seeds: Path, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch):
    replace = os.replace

    def disk_full(src: str, dst: str) -> None:
        if str(dst).endswith(".entry"):
            raise OSError(28, "No space left on device")
        replace(src, dst)

    monkeypatch.setattr(os, "replace", disk_full)
    cache = tmp_path / "cache"
    assert _rebuild_matches_clean(seeds, cache, tmp_path, "full") == len(_ids(seeds))
    assert _entries(cache) == [] and not list(cache.rglob(".tmp-*"))
    blocked = tmp_path / "a-file"
    blocked.write_text("not a directory")
    assert _rebuild_matches_clean(seeds, blocked, tmp_path, "blocked") == len(_ids(seeds))


def test_rows_json_cannot_keep_are_not_cached(tmp_path: Path):
    with pytest.raises(ValueError, match="JSON cannot keep"):
        encode("k", Extracted({}, ArticleResult({"article_id": ("a", "b")}, {})))
    store = ExtractCache(tmp_path, RULES_DIR, SCHEMAS_DIR)
    store.store("k" * 64, Extracted({}, ArticleResult({"article_id": ("a", "b")}, {})))
    assert _entries(tmp_path) == []


def test_cache_hits_are_not_extracted(seeds: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    cache = ExtractCache(tmp_path / "cache", RULES_DIR, SCHEMAS_DIR)
    first = list(Extraction(seeds, RULES_DIR, jobs=2, cache=cache))

    def fail(self: Extractor, article: object) -> None:
        raise AssertionError("extracted although cached")

    monkeypatch.setattr(Extractor, "extract", fail)
    extraction = Extraction(seeds, RULES_DIR, jobs=2, cache=cache)
    again = list(extraction)
    assert extraction.extracted == 0
    # rows extracted by workers come sorted, in columns shared by several articles; rows from the
    # cache as dicts
    orders = {t: RowOrder(schema) for t, schema in load_schemas().items() if t in PER_ARTICLE_TABLES}

    def written(result):
        return {t: orders[t].columns(rows).rows() for t, rows in result.rows.items()}

    assert [(s, written(r)) for s, r in again] == [(s, written(r)) for s, r in first]


def _cli(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    return subprocess.run([sys.executable, "-m", "bigtech_events", *args], capture_output=True, text=True, check=False,
                          cwd=cwd, env=env, timeout=600)


def test_cli_cache_options(tmp_path: Path):
    cache = tmp_path / "cache"
    out = ["build", "--seeds", str(SEEDS_DIR), "--out", str(tmp_path / "pkg"), "--jobs", "1"]
    first = _cli(*out, "--cache", str(cache))
    assert first.returncode == 0, first.stderr
    assert f"({len(_ids(SEEDS_DIR))} extracted, the rest from the cache)" in first.stdout
    assert "(0 extracted" in _cli(*out, "--cache", str(cache)).stdout
    plain = _cli(*out, "--no-cache")
    assert plain.returncode == 0 and "extracted" not in plain.stdout
    both = _cli(*out, "--no-cache", "--cache", str(cache))
    assert both.returncode == 1 and both.stderr.count("\n") == 1 and "--no-cache" in both.stderr


def test_a_build_killed_while_caching_leaves_only_whole_entries(seeds: Path, tmp_path: Path):
    cache = tmp_path / "cache"
    prepare_seeds(SYNTHETIC, seeds)
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    proc = subprocess.Popen([sys.executable, "-m", "bigtech_events", "build", "--seeds", str(seeds),
                             "--out", str(tmp_path / "pkg"), "--jobs", "2", "--cache", str(cache)],
                            cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    while not _entries(cache) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    entries = _entries(cache)
    assert entries
    for path in entries:
        assert decode(path.read_bytes(), path.stem, _article_of(path)) is not None
    resumed = build(seeds, RULES_DIR, tmp_path / "resumed", jobs=1, run_frictionless=False, cache_dir=cache)
    assert resumed.extracted == len(_ids(seeds)) - len(entries)


def _article_of(path: Path) -> str:
    import json
    import zlib

    body = path.read_bytes()[len(MAGIC) + 65:]
    return json.loads(zlib.decompress(body))["article_id"]
