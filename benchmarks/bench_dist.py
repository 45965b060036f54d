"""Benchmark: the distributed build's throughput per worker core, and what the writing process costs.

Generates a corpus (the generator of ``bench_build.py``: recombined sentences of the synthetic
test articles), writes it as Parquet partitions, then for each worker count runs the map step
on a Dask LocalCluster (one thread per worker process) and, once, the reduce step (writing and
validating the package in this process). Prints articles/s per worker core (wall clock, and per
CPU-second the workers used, which other work on a shared machine does not inflate), the reduce
step's articles/s, and all extrapolated to a million articles, with the machine's load, so that
the figures in docs/scale.md can be reproduced.

    .venv/bin/python benchmarks/bench_dist.py [--articles 1000] [--workers 1,2] [--per-partition 50]
"""

from __future__ import annotations

import argparse
import logging
import os
import resource
import sys
import tempfile
import time
from collections.abc import Generator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("BIGTECH_EVENTS_ROOT", str(ROOT))  # this checkout's dataset.yaml and schemas/

from bench_build import make_corpus

from bigtech_events.build import exchange_rate_rows, write_results
from bigtech_events.corpus import list_partitions, write_corpus
from bigtech_events.distributed import WorkerContext, gathered_results
from bigtech_events.extract import Extractor
from bigtech_events.ruleset import load_rules
from bigtech_events.schemas import load_schemas
from bigtech_events.validate import validate_dir

MILLION = 1_000_000


def _cpu_seconds() -> float:
    """CPU time (user + system) this process has used: run on each worker."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def map_step(corpus: str, context: WorkerContext, workers: int) -> tuple[float, float, list[Any]]:
    """Seconds from submitting the tasks to the last partition's rows, the workers' CPU seconds
    meanwhile (which other work on a shared machine does not inflate), and the rows."""
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None,
                      silence_logs=logging.ERROR) as cluster, Client(cluster) as client:
        before = sum(client.run(_cpu_seconds).values())
        problems: list[str] = []
        start = time.perf_counter()
        rows = list(gathered_results(client, context, list_partitions(corpus), problems))
        seconds = time.perf_counter() - start
        cpu = sum(client.run(_cpu_seconds).values()) - before
    assert not problems, problems[:3]
    return seconds, cpu, rows


def reduce_step(rows: list[Any], out: Path) -> list[tuple[str, float, float]]:
    """(step, seconds, CPU seconds) of writing the package of ``rows`` and of validating it
    (Frictionless included), in this process."""

    def results() -> Generator[Any, None, None]:
        yield from rows

    import bigtech_events.validate  # noqa: F401 - its imports are not the validation's cost

    steps = []
    for step, run in (("write", lambda: write_results(out, results(), exchange_rate_rows(ROOT / "rules"))),
                      ("validate", lambda: validate_dir(out, run_frictionless=True))):
        start, cpu = time.perf_counter(), _cpu_seconds()
        outcome = run()
        steps.append((step, time.perf_counter() - start, _cpu_seconds() - cpu))
    assert not outcome, outcome[:3]
    return steps


def per_million(articles_per_s: float) -> str:
    return f"{MILLION / articles_per_s / 3600:.1f} core-hours per million articles"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=1000)
    ap.add_argument("--workers", default="1,2")
    ap.add_argument("--per-partition", type=int, default=50)
    args = ap.parse_args()
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, load average "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())} at start")
    with tempfile.TemporaryDirectory(prefix="bigtech-bench-dist-") as tmp:
        seeds = Path(tmp) / "seeds"
        seeds.mkdir()
        size = make_corpus(seeds, args.articles)
        write_corpus(seeds, Path(tmp) / "corpus", "parquet", args.per_partition)
        context = WorkerContext(Extractor(load_rules(ROOT / "rules")), load_schemas())
        print(f"{args.articles} articles, {size / 1e6:.2f} MB of text, {args.per_partition} per partition")
        rows: list[Any] = []
        for workers in (int(w) for w in args.workers.split(",")):
            seconds, cpu, rows = map_step(str(Path(tmp) / "corpus"), context, workers)
            per_core, per_cpu = args.articles / seconds / workers, args.articles / cpu
            print(f"map    {workers} worker(s): {seconds:7.1f} s  {args.articles / seconds:7.1f} articles/s  "
                  f"{per_core:6.1f} articles/s per worker core ({per_million(per_core)}); "
                  f"{per_cpu:6.1f} articles per worker CPU-second ({per_million(per_cpu)})")
        for step, seconds, cpu in reduce_step(rows, Path(tmp) / "out"):
            print(f"reduce {step:<8}: {seconds:7.1f} s  {args.articles / seconds:7.1f} articles/s "
                  f"({MILLION / (args.articles / seconds) / 3600:.1f} hours per million articles); "
                  f"{args.articles / cpu:7.1f} articles per CPU-second "
                  f"({MILLION / (args.articles / cpu) / 3600:.1f} hours per million), one process")
    print(f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())} at end")


if __name__ == "__main__":
    main()
