"""Benchmark: a build of N generated articles with the extraction cache, then one article added.

For each size it runs ``bigtech-events build --cache DIR`` as a user does (a command of its own,
imports included): first on N articles (every article extracted, its entry and the snapshot of
the tables written), then after one article is added. It prints the wall seconds of each, the
second build's seconds per stage (``BIGTECH_EVENTS_TIMING=1``: ingest is finding the seeds, their
keys and the last build's rows; extraction is the new article's; writing includes the copy of the
unchanged rows and the install; validation is the project's checks of the whole package), its peak
memory, and the size of the cache. ``--verify`` also builds the N + 1 articles without the cache
and compares the two packages byte for byte. The corpus is the one ``bench_build.py`` generates
(recombined sentences of the synthetic test articles, each article with its own publication date).

    .venv/bin/python benchmarks/bench_incremental.py [--sizes 2000,20000] [--jobs 2] [--verify]
"""

from __future__ import annotations

import argparse
import datetime as dt
import filecmp
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_build import make_corpus

EXTRACTION = ("matching", "events", "dates", "amounts", "rows")


def _build(seeds: Path, out: Path, jobs: int, cache: Path | None) -> tuple[float, dict]:
    env = {**os.environ, "BIGTECH_EVENTS_TIMING": "1", "PYTHONPATH": str(ROOT / "src"),
           "BIGTECH_EVENTS_ROOT": str(ROOT)}
    cmd = [sys.executable, "-m", "bigtech_events", "build", "--seeds", str(seeds), "--rules",
           str(ROOT / "rules"), "--out", str(out), "--jobs", str(jobs),
           *(["--cache", str(cache)] if cache is not None else ["--no-cache"])]
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"build failed: {proc.stderr.strip().splitlines()[-1:]}")
    line = next(x for x in proc.stderr.splitlines() if x.startswith("timing "))
    return seconds, json.loads(line.removeprefix("timing "))


def _same(a: Path, b: Path) -> bool:
    names = ["datapackage.json", *(f"dataset/{p.name}" for p in sorted((a / "dataset").iterdir()))]
    return all(filecmp.cmp(a / n, b / n, shallow=False) for n in names)


def _size(directory: Path) -> int:
    return sum(p.stat().st_size for p in directory.rglob("*") if p.is_file())


def run(n: int, jobs: int, verify: bool, work: Path | None) -> None:
    with tempfile.TemporaryDirectory(prefix="bigtech-incr-", dir=work) as tmp:
        base = Path(tmp)
        corpus, seeds, cache = base / "corpus", base / "seeds", base / "cache"
        corpus.mkdir()
        size = make_corpus(corpus, n + 1)
        added = max(corpus.glob("*.txt"))
        shutil.copytree(corpus, seeds, ignore=lambda d, names: [p for p in names if p.startswith(added.stem)])
        first, _ = _build(seeds, base / "out", jobs, cache)
        for path in (added, added.with_suffix(".yaml")):
            shutil.copyfile(path, seeds / path.name)
        again, timing = _build(seeds, base / "out", jobs, cache)
        stages = timing["seconds"]
        print(f"{n:>7} articles ({size / 1e6:.1f} MB of text), --jobs {jobs}")
        print(f"        first build, every article extracted and cached: {first:8.1f} s")
        print(f"        build after adding one article (the command):    {again:8.1f} s, "
              f"peak {timing['peak_parent_mb']:.0f} MB")
        parts = (("seeds, cache keys, last build's rows (ingest)", stages.get("ingest", 0.0)),
                 ("the new article extracted", sum(stages.get(s, 0.0) for s in EXTRACTION)),
                 ("tables written and installed", stages.get("writing", 0.0)),
                 ("validation (the project's checks)", stages.get("validation", 0.0)))
        for label, seconds in parts:
            print(f"          {label:<46} {seconds:6.1f} s")
        rest = again - sum(s for _, s in parts)
        print(f"          {'start-up (imports, rules, schemas) and the rest':<46} {rest:6.1f} s")
        print(f"        cache: {_size(cache) / 1e6:.1f} MB ({_size(next(cache.glob('*/snapshot'))) / 1e6:.1f} MB "
              f"of it the snapshot), {sum(1 for _ in cache.rglob('*.entry'))} entries", flush=True)
        if verify:
            clean, _ = _build(seeds, base / "clean", jobs, None)
            same = _same(base / "out", base / "clean")
            print(f"        clean build of the same {n + 1} articles: {clean:8.1f} s; "
                  f"byte for byte the same package: {'yes' if same else 'NO'}", flush=True)
            if not same:
                raise SystemExit("the incremental build differs from the clean one")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="2000")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--verify", action="store_true", help="also build without the cache and compare")
    ap.add_argument("--work", type=Path, default=None, help="directory for the temporary corpora")
    args = ap.parse_args()
    print(f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, {platform.machine()}, {os.cpu_count()} cores, "
          f"python {platform.python_version()}")
    for n in (int(x) for x in args.sizes.split(",")):
        run(n, args.jobs, args.verify, args.work)


if __name__ == "__main__":
    main()
