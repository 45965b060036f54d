"""Benchmark: extraction, package writing and validation on a generated corpus.

Prints articles/s, MB/s of text, rows written, peak memory and validation time (all checks,
Frictionless included) for corpora of growing size, so
that "memory does not grow with the corpus" and "runs on all cores" can be checked by eye.
The corpus is made by recombining the sentences of the synthetic test articles (never real
news), each article with its own id and publication date.

    .venv/bin/python benchmarks/bench_build.py [--sizes 200,1000,4000] [--jobs 2]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "synthetic"


def sentences() -> list[str]:
    out = []
    for path in sorted(FIXTURES.glob("*.txt")):
        for para in path.read_text(encoding="utf-8").split("\n\n")[2:]:
            out.extend(s.strip() + "." for s in para.split(". ") if len(s.split()) > 4)
    return out


def make_corpus(directory: Path, n: int, seed: int = 7) -> int:
    rng = random.Random(seed)
    pool = sentences()
    total = 0
    for i in range(n):
        paras = ["\n".join(rng.sample(pool, 3)) for _ in range(4)]
        text = f"Generated article {i}\n\n" + "\n\n".join(paras)
        # A different publication date for each article, as in a real corpus (about eight years
        # of days, then again): the dates of the rows are as varied as real ones.
        published = dt.date(2018, 1, 1) + dt.timedelta(days=i % 2922)
        (directory / f"bench-{i:07d}.txt").write_text(text, encoding="utf-8")
        (directory / f"bench-{i:07d}.yaml").write_text(
            f"title: Generated article {i}\npublisher: Benchmark generator\npublished: {published}\n"
            "language: en\n", encoding="utf-8")
        total += len(text.encode("utf-8"))
    return total


def run(n: int, jobs: int) -> None:
    with tempfile.TemporaryDirectory(prefix="bigtech-bench-") as tmp:
        seeds, out = Path(tmp) / "seeds", Path(tmp) / "out"
        seeds.mkdir()
        size = make_corpus(seeds, n)
        code = (
            "import sys, time, resource\n"
            "from pathlib import Path\n"
            "from bigtech_events.build import write_package\n"
            "t = time.perf_counter()\n"
            f"counts, _ = write_package(Path({str(out)!r}), Path({str(seeds)!r}), Path({str(ROOT / 'rules')!r}), jobs={jobs})\n"
            "dt = time.perf_counter() - t\n"
            "peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024\n"
            "kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024\n"
            "from bigtech_events.validate import validate_dir\n"
            "t = time.perf_counter()\n"
            f"problems = validate_dir(Path({str(out)!r}), seeds_dir=Path({str(seeds)!r}), run_frictionless=True)\n"
            "vt = time.perf_counter() - t\n"
            "assert not problems, problems[:3]\n"
            "print(dt, peak, kids, sum(counts.values()), vt)\n"
        )
        env = {**os.environ, "BIGTECH_EVENTS_ROOT": str(ROOT)}  # this checkout's dataset.yaml, schemas/
        proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                              env=env)
        dt, peak, kids, rows, vt = proc.stdout.split()
        dt = float(dt)
        print(f"{n:>7} articles {size / 1e6:7.2f} MB  {n / dt:8.1f} articles/s  {size / 1e6 / dt:6.2f} MB/s  "
              f"{int(rows):>9} rows  peak RSS parent {float(peak):6.0f} MB, worker {float(kids):6.0f} MB  "
              f"validation {float(vt):6.1f} s ({float(vt) / int(rows) * 1e6:.0f} µs/row)")
        shutil.rmtree(out, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="200,1000,4000")
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args()
    print(f"python {sys.version.split()[0]}, jobs={args.jobs}, "
          f"max RSS before: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    for n in (int(x) for x in args.sizes.split(",")):
        run(n, args.jobs)


if __name__ == "__main__":
    main()
