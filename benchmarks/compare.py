"""Benchmark: this project's build and the spaCy peer side by side, on generated corpora.

For each size, generates a corpus (``bench_build.make_corpus``: the synthetic test articles'
sentences recombined, never real news), then runs, interleaved, ``bigtech-events build --jobs N``
and the peer (``../shared/bench/spacy_peer.py``: spaCy blank + EntityRuler with our gazetteer +
Matcher + a money regex), each as a command of its own. Prints for each run: seconds, MB/s,
articles/s, peak memory of the parent and of the largest worker, and, for the build, the seconds
per stage summed over its processes (``BIGTECH_EVENTS_TIMING=1``, see bigtech_events.timing).

    .venv/bin/python benchmarks/compare.py                      # 2,000 and 20,000 articles
    .venv/bin/python benchmarks/compare.py --sizes 200          # a quick run
    .venv/bin/python benchmarks/compare.py --large              # also 100,000 articles
    .venv/bin/python benchmarks/compare.py --repeat 2 --peer-python /path/to/python
    .venv/bin/python benchmarks/compare.py --jobs 2,1          # the build with 2 and with 1 worker
    .venv/bin/python benchmarks/compare.py --baseline /tmp/old/src   # also another version's build

``--baseline`` runs the build of another checkout's ``src/`` (with this checkout's rules and
schemas) as a third engine, "before", interleaved with the others: a change's speed-up measured
under the same load.

The peer needs spaCy, pyarrow and PyYAML in the interpreter given by ``--peer-python`` (by default
this one); without spaCy it is left out and the build runs alone. Corpora and outputs are written
to a temporary directory (or ``--work DIR``) and removed afterwards.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_build import make_corpus

ROOT = Path(__file__).resolve().parent.parent
PEER = ROOT.parent / "shared" / "bench" / "spacy_peer.py"
STAGES = ("ingest", "matching", "events", "dates", "amounts", "rows", "validation", "writing")


@dataclass
class Run:
    engine: str
    seconds: float
    peak_parent_mb: float
    peak_workers_mb: float | None
    stages: dict[str, float] = field(default_factory=dict)


def _wait(cmd: list[str], env: dict[str, str]) -> tuple[float, float, str, str]:
    """Run ``cmd``; its wall seconds, its peak memory (MB, itself and its children), stdout, stderr."""
    t0 = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd[:4])} ...: exit {proc.returncode}: {stderr.strip().splitlines()[-1:]}")
    div = 1024 * 1024 if sys.platform == "darwin" else 1024
    return seconds, usage.ru_maxrss / div, stdout, stderr


def run_ours(seeds: Path, out: Path, jobs: int, src: Path = ROOT / "src", engine: str = "build") -> Run:
    """One clean build (``--no-cache``) of ``seeds`` with ``jobs`` workers, as a command of its own."""
    env = {**os.environ, "BIGTECH_EVENTS_TIMING": "1", "PYTHONPATH": str(src),
           "BIGTECH_EVENTS_ROOT": str(ROOT)}
    cmd = [sys.executable, "-m", "bigtech_events", "build", "--seeds", str(seeds), "--rules",
           str(ROOT / "rules"), "--out", str(out), "--jobs", str(jobs), "--no-cache"]
    seconds, _, _, stderr = _wait(cmd, env)
    line = next(x for x in stderr.splitlines() if x.startswith("timing "))
    t = json.loads(line.removeprefix("timing "))
    shutil.rmtree(out, ignore_errors=True)
    return Run(engine, seconds, t["peak_parent_mb"], t["peak_workers_mb"], t["seconds"])


def run_peer(python: str, peer: Path, seeds: Path, out: Path) -> Run:
    cmd = [python, str(peer), str(seeds), str(out), "--rules", str(ROOT / "rules")]
    seconds, peak, _, _ = _wait(cmd, dict(os.environ))
    shutil.rmtree(out, ignore_errors=True)
    return Run("peer", seconds, peak, None)


def peer_available(python: str, peer: Path) -> bool:
    if not peer.is_file():
        return False
    probe = subprocess.run([python, "-c", "import spacy, pyarrow, yaml"], check=False, capture_output=True)
    return probe.returncode == 0


def show(n: int, mb: float, run: Run) -> None:
    workers = f"{run.peak_workers_mb:7.0f}" if run.peak_workers_mb is not None else "      -"
    print(f"{n:>8} {run.engine:<6} {run.seconds:9.1f} {mb / run.seconds:7.3f} {n / run.seconds:10.1f} "
          f"{run.peak_parent_mb:8.0f} {workers}", flush=True)


def show_ratios(runs: list[Run]) -> None:
    """How the engines compare: each build's seconds against the peer's and against the others'."""
    mean = {e: sum(r.seconds for r in runs if r.engine == e) / sum(1 for r in runs if r.engine == e)
            for e in dict.fromkeys(r.engine for r in runs)}
    builds = [e for e in mean if e != "peer"]
    parts = [f"{e} takes {mean[e] / mean['peer']:.2f}x the peer's time" for e in builds if "peer" in mean]
    parts += [f"{a} is {mean[b] / mean[a]:.2f}x as fast as {b}" for a, b in itertools.pairwise(builds)]
    if parts:
        print("  " + "; ".join(parts), flush=True)


def show_stages(runs: list[Run]) -> None:
    for engine in dict.fromkeys(r.engine for r in runs if r.engine != "peer"):
        builds = [r for r in runs if r.engine == engine]
        if not builds:
            continue
        print(f"  {engine}: stage seconds summed over its processes (mean of {len(builds)} run(s)):")
        means = {s: sum(r.stages.get(s, 0.0) for r in builds) / len(builds) for s in STAGES}
        print("    " + "  ".join(f"{s} {means[s]:.1f}" for s in STAGES), flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="2000,20000", help="articles per corpus, comma-separated")
    ap.add_argument("--large", action="store_true", help="also 100,000 articles")
    ap.add_argument("--jobs", default="2", help="worker processes of the build; several, comma-separated, "
                    "run one build each (engine build<N> when more than one)")
    ap.add_argument("--repeat", type=int, default=1, help="runs of each engine per size, interleaved")
    ap.add_argument("--peer-python", default=sys.executable, help="interpreter with spaCy for the peer")
    ap.add_argument("--peer", type=Path, default=PEER, help="the peer script")
    ap.add_argument("--no-peer", action="store_true", help="run the build alone")
    ap.add_argument("--baseline", type=Path, default=None, help="src/ of another version, run as 'before'")
    ap.add_argument("--work", type=Path, default=None, help="directory for corpora and outputs")
    args = ap.parse_args()
    sizes = [int(x) for x in args.sizes.split(",") if x] + ([100_000] if args.large else [])
    jobs = [int(x) for x in args.jobs.split(",") if x]
    peer = not args.no_peer and peer_available(args.peer_python, args.peer)
    print(f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, {platform.machine()}, {os.cpu_count()} cores, "
          f"python {platform.python_version()}, build --jobs {args.jobs}, --no-cache"
          + ("" if peer else "; peer left out (no script, or no spaCy, pyarrow or PyYAML in --peer-python)"))
    print(f"{'articles':>8} {'engine':<6} {'seconds':>9} {'MB/s':>7} {'articles/s':>10} "
          f"{'parentMB':>8} {'workerMB':>7}")
    with tempfile.TemporaryDirectory(prefix="bigtech-compare-", dir=args.work) as tmp:
        for n in sizes:
            seeds = Path(tmp) / f"seeds-{n}"
            seeds.mkdir()
            mb = make_corpus(seeds, n) / 1e6
            runs = []
            for _ in range(args.repeat):
                for j in jobs:
                    engine = "build" if len(jobs) == 1 else f"build{j}"
                    runs.append(run_ours(seeds, Path(tmp) / "out-build", j, engine=engine))
                    show(n, mb, runs[-1])
                if args.baseline is not None:
                    runs.append(run_ours(seeds, Path(tmp) / "out-before", jobs[0], args.baseline, "before"))
                    show(n, mb, runs[-1])
                if peer:
                    runs.append(run_peer(args.peer_python, args.peer, seeds, Path(tmp) / "out-peer"))
                    show(n, mb, runs[-1])
            show_ratios(runs)
            show_stages(runs)
            shutil.rmtree(seeds, ignore_errors=True)


if __name__ == "__main__":
    main()
