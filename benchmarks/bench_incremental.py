"""Benchmark: a build of N generated articles with the extraction cache, then one article added.

For each size it prints the time of the first build (every article extracted, each entry written
to the cache), then of the build after one article is added, stage by stage: finding the seeds
and their cache keys, reading the cached rows (and extracting the new article), writing the
tables, and validating them (the project's checks, then Frictionless). The corpus is the one
``bench_build.py`` generates (recombined sentences of the synthetic test articles, each article
with its own publication date).

    .venv/bin/python benchmarks/bench_incremental.py [--sizes 2000,20000] [--jobs 2]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("BIGTECH_EVENTS_ROOT", str(ROOT))  # this checkout's dataset.yaml and schemas/
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_build import make_corpus

from bigtech_events.build import Extraction, _plan, build, write_extraction
from bigtech_events.cache import Extracted
from bigtech_events.validate import frictionless_check, validate_dir

RULES = ROOT / "rules"


class TimedExtraction(Extraction):
    """An extraction that adds up the time spent producing its results (reading or extracting)."""

    seconds = 0.0

    def __iter__(self) -> Iterator[Extracted]:
        results = super().__iter__()
        while True:
            start = time.perf_counter()
            try:
                item = next(results)
            except StopIteration:
                self.seconds += time.perf_counter() - start
                return
            self.seconds += time.perf_counter() - start
            yield item


def _timed(label: str, times: dict[str, float], fn, *args, **kwargs):
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    times[label] = time.perf_counter() - start
    return result


def run(n: int, jobs: int) -> None:
    with tempfile.TemporaryDirectory(prefix="bigtech-incr-") as tmp:
        base = Path(tmp)
        corpus, seeds, cache = base / "corpus", base / "seeds", base / "cache"
        corpus.mkdir()
        size = make_corpus(corpus, n + 1)
        added = max(corpus.glob("*.txt"))
        shutil.copytree(corpus, seeds, ignore=lambda d, names: [p for p in names if p.startswith(added.stem)])

        times: dict[str, float] = {}
        report = _timed("first", times, build, seeds, RULES, base / "out", jobs=jobs, cache_dir=cache)
        for path in (added, added.with_suffix(".yaml")):
            shutil.copyfile(path, seeds / path.name)

        _timed("plan", times, _plan, seeds, _cache(cache))  # what "keys" spends on the seeds and keys
        extraction = _timed("keys", times, TimedExtraction, seeds, RULES, jobs, cache=_cache(cache))
        out = base / "again"
        counts, _ = _timed("write", times, write_extraction, out, extraction, RULES)
        times["read"] = extraction.seconds
        times["write"] -= extraction.seconds
        problems = _timed("checks", times, validate_dir, out, seeds_dir=seeds, run_frictionless=False)
        problems += _timed("frictionless", times, frictionless_check, out)
        assert not problems, problems[:3]
        assert extraction.extracted == 1, extraction.extracted
        rebuild = sum(times[k] for k in ("keys", "read", "write", "checks", "frictionless"))
        rows = sum(counts.values())
        print(f"{n:>7} articles ({size / 1e6:.1f} MB, {report.articles} built, {rows} rows after adding one)")
        print(f"        first build, every article extracted and cached: {times['first']:8.1f} s")
        print(f"        build after adding one article:                  {rebuild:8.1f} s")
        for label, key in (("seeds, cache keys, rules", "keys"), ("cached rows read, 1 article extracted", "read"),
                           ("tables written", "write"), ("validation: project checks", "checks"),
                           ("validation: Frictionless", "frictionless")):
            print(f"          {label:<38} {times[key]:8.1f} s  {times[key] / rebuild:5.0%}")
            if key == "keys":
                print(f"            of which compiling the rules         {times['keys'] - times['plan']:8.1f} s")
        print(f"        cache: {_size(cache) / 1e6:.1f} MB in {sum(1 for _ in cache.rglob('*.entry'))} entries",
              flush=True)


def _cache(directory: Path):
    from bigtech_events.cache import ExtractCache
    from bigtech_events.paths import project_path

    return ExtractCache(directory, RULES, project_path("schemas"))


def _size(directory: Path) -> int:
    return sum(p.stat().st_size for p in directory.rglob("*") if p.is_file())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="2000")
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args()
    print(f"python {sys.version.split()[0]}, jobs={args.jobs}")
    for n in (int(x) for x in args.sizes.split(",")):
        run(n, args.jobs)


if __name__ == "__main__":
    main()
