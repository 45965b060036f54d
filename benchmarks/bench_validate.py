"""Benchmark: ``validate`` against ``frictionless validate`` alone, on one generated package.

Builds a package from a generated corpus (see ``bench_build.py``; or takes one already built),
then times, each in a process of its own and in turn (``--repeat`` rounds, so that a busy
machine weighs on each alike):

- ``validate`` of this checkout (all checks, Frictionless included),
- ``validate`` of an earlier revision (``--before REV``, read from git into a temporary folder),
- ``frictionless validate datapackage.json`` alone, in the package directory.

Prints wall time and peak memory (the largest resident set of the process and of its workers).

    .venv/bin/python benchmarks/bench_validate.py [--articles 2000] [--before d1c16f6] [--repeat 1]
    .venv/bin/python benchmarks/bench_validate.py --package DIR --seeds DIR
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_build import ROOT, make_corpus

#: Run in a child: validate, then print wall seconds and the peak RSS of the child and its workers.
VALIDATE = """
import resource, sys, time
from pathlib import Path
try:  # first, as the command does: Arrow's allocator is chosen when it is imported
    from bigtech_events.workers import use_returning_allocator
    use_returning_allocator()
except ImportError:  # a revision (--before) older than it
    pass
from bigtech_events.validate import validate_dir
t = time.perf_counter()
problems = validate_dir(Path(sys.argv[1]), seeds_dir=Path(sys.argv[2]), run_frictionless=True)
took = time.perf_counter() - t
assert not problems, problems[:3]
own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(took, own, kids)
"""

#: Run in a child: the Frictionless command line, timed from inside so that start-up counts alike.
FRICTIONLESS = """
import resource, subprocess, sys, time
t = time.perf_counter()
proc = subprocess.run([sys.argv[1], "validate", "datapackage.json"], capture_output=True, text=True)
took = time.perf_counter() - t
assert proc.returncode == 0, proc.stdout[-2000:]
print(took, 0, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)
"""


def build(seeds: Path, out: Path, jobs: int) -> None:
    code = ("import sys\nfrom pathlib import Path\nfrom bigtech_events.build import write_package\n"
            f"write_package(Path({str(out)!r}), Path({str(seeds)!r}), Path({str(ROOT / 'rules')!r}), jobs={jobs})\n")
    subprocess.run([sys.executable, "-c", code], check=True, env=_env(ROOT / "src"))


def _env(src: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(src), "BIGTECH_EVENTS_ROOT": str(ROOT)}


def checkout(rev: str, into: Path) -> Path:
    """The ``src/`` of revision ``rev`` of this repository, unpacked under ``into``."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev, "src"], check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into / "src"


def measure(argv: list[str], env: dict[str, str], cwd: Path | None = None) -> tuple[float, float, float]:
    proc = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=cwd, check=False)
    if proc.returncode:
        raise SystemExit(f"{argv[:3]} failed: {proc.stderr.strip().splitlines()[-1:]}")
    took, own, kids = proc.stdout.split()
    return float(took), float(own), float(kids)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=2000)
    ap.add_argument("--package", type=Path, help="an already built package (with --seeds)")
    ap.add_argument("--seeds", type=Path)
    ap.add_argument("--before", default=None, help="also time validate of this git revision")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--jobs", type=int, default=2, help="worker processes of the build")
    args = ap.parse_args()
    frictionless = Path(sys.executable).parent / "frictionless"
    with tempfile.TemporaryDirectory(prefix="bigtech-bench-validate-") as tmp:
        work = Path(tmp)
        package, seeds = args.package, args.seeds
        if package is None:
            seeds, package = work / "seeds", work / "package"
            seeds.mkdir()
            size = make_corpus(seeds, args.articles)
            t = time.perf_counter()
            build(seeds, package, args.jobs)
            print(f"built {args.articles} articles ({size / 1e6:.1f} MB of text) in {time.perf_counter() - t:.0f} s")
        csv_mb = sum(p.stat().st_size for p in (package / "dataset").glob("*.csv")) / 1e6
        runs = {"validate (this checkout)": ([sys.executable, "-c", VALIDATE, str(package), str(seeds)],
                                             _env(ROOT / "src"), None)}
        if args.before:
            old = checkout(args.before, work)
            runs[f"validate ({args.before})"] = ([sys.executable, "-c", VALIDATE, str(package), str(seeds)],
                                                 _env(old), None)
        runs["frictionless validate alone"] = ([sys.executable, "-c", FRICTIONLESS, str(frictionless)],
                                               dict(os.environ), package)
        results: dict[str, list[tuple[float, float, float]]] = {name: [] for name in runs}
        for _ in range(args.repeat):
            for name, (argv, env, cwd) in runs.items():
                results[name].append(measure(argv, env, cwd))
        print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, package {package.name}: "
              f"{csv_mb:.1f} MB of CSV, {args.repeat} round(s); best wall time, largest peak RSS")
        for name, got in results.items():
            best = min(t for t, _, _ in got)
            own = max(o for _, o, _ in got)
            kids = max(k for _, _, k in got)
            mem = f"process {own:5.0f} MB, workers {kids:5.0f} MB" if own else f"process {kids:5.0f} MB"
            print(f"  {name:32} {best:7.1f} s   {mem}")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
