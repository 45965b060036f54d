"""A build with a cache copies the unchanged articles' rows from the last build's snapshot, and
writes the bytes of a clean build whatever changed in between."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pyarrow as pa
import pytest
from helpers import REPO, RULES_DIR, SEEDS_DIR
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bigtech_events import snapshot as snapshot_mod
from bigtech_events.build import build
from bigtech_events.cache import ExtractCache
from bigtech_events.evaluate import prepare_seeds
from bigtech_events.extract import Extractor

SYNTHETIC = REPO / "tests" / "fixtures" / "synthetic"


def _digests(root: Path) -> dict[str, str]:
    files = [root / "datapackage.json", *sorted((root / "dataset").iterdir())]
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


@pytest.fixture(scope="module")
def articles(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[Path, Path]]:
    """The seed article and the synthetic ones (text and metadata), to copy into a seeds folder."""
    every = tmp_path_factory.mktemp("synthetic")
    prepare_seeds(SYNTHETIC, every)
    texts = [*sorted(SEEDS_DIR.glob("*.txt")), *sorted(every.glob("*.txt"))]
    return [(t, t.with_suffix(".yaml")) for t in texts]


def _corpus(seeds: Path, chosen: list[tuple[Path, Path]]) -> Path:
    shutil.rmtree(seeds, ignore_errors=True)
    seeds.mkdir(parents=True)
    for text, meta in chosen:
        shutil.copyfile(text, seeds / text.name)
        shutil.copyfile(meta, seeds / meta.name)
    return seeds


def _same_as_clean(seeds: Path, cache: Path, out: Path) -> int:
    cached = build(seeds, RULES_DIR, out / "cached", jobs=1, cache_dir=cache)
    clean = build(seeds, RULES_DIR, out / "clean", jobs=1)
    assert _digests(cached.out_dir) == _digests(clean.out_dir)
    assert cached.extracted is not None
    return cached.extracted


def _recorded(directory: Path) -> dict[str, object]:
    """What a snapshot records: its tables' rows (not how its files cut them into batches) and
    its other files' bytes but the manifest's (which holds the tables' digests)."""
    return {p.name: pa.ipc.open_file(p).read_all() if p.suffix == ".arrow" else p.read_bytes()
            for p in sorted(directory.iterdir()) if p.name != "manifest.json"}


def _snapshot(cache: Path) -> Path:
    (found,) = cache.glob("*/snapshot")
    return found


def test_unchanged_articles_are_copied_not_read_or_extracted(articles, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch):
    seeds, cache = _corpus(tmp_path / "seeds", articles[:5]), tmp_path / "cache"
    build(seeds, RULES_DIR, tmp_path / "first", jobs=1, cache_dir=cache)
    assert sorted(p.name for p in _snapshot(cache).iterdir()) == sorted(
        [*(f"{t}.arrow" for t in ("articles", "mentions", "events", "event_mentions", "event_participants",
                                  "affiliations", "amounts")),
         "articles.jsonl", "actors.json", "keys.json", "manifest.json"])
    clean = build(seeds, RULES_DIR, tmp_path / "clean", jobs=1)
    added = articles[5]
    for path in added:
        shutil.copyfile(path, seeds / path.name)
    clean_added = build(seeds, RULES_DIR, tmp_path / "clean-added", jobs=1)

    extracted: list[str] = []
    original = Extractor.extract

    def spy(self: Extractor, article):
        extracted.append(article.article_id)
        return original(self, article)

    def no_entries(self: ExtractCache, key: str, article_id: str):
        raise AssertionError(f"cache entry of {article_id} read although the snapshot holds it")

    monkeypatch.setattr(Extractor, "extract", spy)
    monkeypatch.setattr(ExtractCache, "load", no_entries)
    report = build(seeds, RULES_DIR, tmp_path / "again", jobs=1, cache_dir=cache)
    assert extracted == [added[0].stem] and report.extracted == 1
    assert _digests(report.out_dir) == _digests(clean_added.out_dir)
    (seeds / added[0].name).unlink()
    (seeds / added[1].name).unlink()
    report = build(seeds, RULES_DIR, tmp_path / "removed", jobs=1, cache_dir=cache)
    assert report.extracted == 0 and _digests(report.out_dir) == _digests(clean.out_dir)


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[:-100])


def _flip(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x20
    path.write_bytes(bytes(data))


def _foreign(path: Path) -> None:
    manifest = json.loads(path.read_text(encoding="utf-8"))
    manifest["fingerprint"] = "0" * 64
    path.write_text(json.dumps(manifest), encoding="utf-8")


@pytest.mark.parametrize(("name", "damage"), [
    ("mentions.arrow", _truncate), ("events.arrow", _flip), ("articles.jsonl", _flip),
    ("keys.json", Path.unlink), ("manifest.json", _foreign), ("manifest.json", _truncate),
])
def test_a_damaged_or_foreign_snapshot_is_not_used(articles, tmp_path: Path, name: str, damage):
    seeds, cache = _corpus(tmp_path / "seeds", articles[:4]), tmp_path / "cache"
    build(seeds, RULES_DIR, tmp_path / "first", jobs=1, cache_dir=cache)
    damage(_snapshot(cache) / name)
    assert _same_as_clean(seeds, cache, tmp_path) == 0  # the entries gave every article back
    assert (_snapshot(cache) / "manifest.json").is_file()  # and a good snapshot replaced it


def test_a_snapshot_that_cannot_be_written_costs_only_speed(articles, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch):
    seeds, cache = _corpus(tmp_path / "seeds", articles[:3]), tmp_path / "cache"
    calls = []

    def full_disk(path: Path, schema: object) -> None:
        calls.append(path)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(snapshot_mod, "_open_ipc", full_disk)
    first = build(seeds, RULES_DIR, tmp_path / "first", jobs=1, cache_dir=cache)
    assert calls and first.extracted == 3
    assert not list(cache.glob("*/snapshot")) and not list(cache.glob("*/.snapshot-*"))
    monkeypatch.undo()
    assert _same_as_clean(seeds, cache, tmp_path) == 0  # the entries were written
    assert (_snapshot(cache) / "manifest.json").is_file()


@settings(max_examples=6, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(first=st.sets(st.integers(0, 7), min_size=1), second=st.sets(st.integers(0, 7), min_size=1),
       edited=st.sets(st.integers(0, 7), max_size=2))
def test_any_change_of_the_corpus_gives_the_clean_build(articles, tmp_path_factory: pytest.TempPathFactory,
                                                        first: set[int], second: set[int], edited: set[int]):
    """Articles added, removed and edited between two cached builds: the second equals a clean build."""
    tmp = tmp_path_factory.mktemp("change")
    seeds, cache = _corpus(tmp / "seeds", [articles[i] for i in sorted(first)]), tmp / "cache"
    build(seeds, RULES_DIR, tmp / "first", jobs=1, cache_dir=cache)
    _corpus(seeds, [articles[i] for i in sorted(second)])
    for i in sorted(edited & second):
        text = seeds / articles[i][0].name
        text.write_text(text.read_text(encoding="utf-8").replace(". ", ".  ", 1), encoding="utf-8")
    extracted = _same_as_clean(seeds, cache, tmp)
    assert extracted <= len(second - first) + len(edited & second)
    # the snapshot it recorded, copied rows and all, is the one a build extracting everything records
    build(seeds, RULES_DIR, tmp / "fresh", jobs=1, cache_dir=tmp / "fresh-cache")
    assert _recorded(_snapshot(cache)) == _recorded(_snapshot(tmp / "fresh-cache"))


def test_workers_articles_between_copied_ones_give_the_clean_build(articles, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch):
    """Workers send the rows of several articles at once (build.Chunk); with a snapshot, the
    articles of one such chunk lie between copied ones, and each article's rows are written in
    their place."""
    from bigtech_events import build as build_mod

    monkeypatch.setattr(build_mod, "CHUNK", 3)
    seeds, cache = _corpus(tmp_path / "seeds", articles[::2]), tmp_path / "cache"
    build(seeds, RULES_DIR, tmp_path / "first", jobs=1, cache_dir=cache)
    _corpus(seeds, articles)
    cached = build(seeds, RULES_DIR, tmp_path / "cached", jobs=2, cache_dir=cache)
    clean = build(seeds, RULES_DIR, tmp_path / "clean", jobs=1)
    assert cached.extracted == len(articles[1::2])
    assert _digests(cached.out_dir) == _digests(clean.out_dir)
