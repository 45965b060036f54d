"""Run many ``bigtech-events`` command lines, each in a process of its own, for one import's cost.

Usage: ``python catalogue_runner.py CASES.json RESULTS.json``. CASES is a list of
``{"id", "argv", "cwd", "env", "log"}``. The runner imports the command once, then forks one child
per case: the child moves to ``cwd``, sets ``env``, sends its stdout and stderr to ``log``.out and
``log``.err and runs the command's ``main(argv)`` exactly as the console script does; the runner
records the child's exit status (one child per core at a time). RESULTS maps each id to that
status, or to ``"timeout"`` for a case still running after ``CASE_TIMEOUT_S`` (it is killed: a
hang fails its own case, not the catalogue). Without ``os.fork`` every case runs as ``python -m bigtech_events`` instead.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from typing import Any

CASE_TIMEOUT_S = 120


def _child(case: dict[str, Any]) -> None:
    import tempfile

    from bigtech_events.cli import main

    os.chdir(case["cwd"])
    os.environ.update(case["env"])
    tempfile.tempdir = None  # so TMPDIR from env is honoured
    for fd, suffix in ((1, ".out"), (2, ".err")):
        out = os.open(case["log"] + suffix, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.dup2(out, fd)
        os.close(out)
    code = 0
    try:
        main(case["argv"])
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except BaseException:  # noqa: BLE001 - as the console script: a traceback, exit 1
        import traceback

        traceback.print_exc()
        code = 1
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def _fork(case: dict[str, Any]) -> int:
    pid = os.fork()
    if pid == 0:
        try:
            _child(case)
        finally:
            os._exit(70)
    return pid


def run_forked(cases: list[dict[str, Any]], jobs: int) -> dict[str, int | str]:
    """Every case in a forked child, ``jobs`` at a time; a child past its time is killed."""
    results: dict[str, int | str] = {}
    pending = list(reversed(cases))
    running: dict[int, tuple[str, float]] = {}
    while pending or running:
        while pending and len(running) < jobs:
            case = pending.pop()
            running[_fork(case)] = (case["id"], time.monotonic() + CASE_TIMEOUT_S)
        for pid, (case_id, deadline) in list(running.items()):
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                results[case_id] = os.waitstatus_to_exitcode(status)
            elif time.monotonic() > deadline:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                results[case_id] = "timeout"
            else:
                continue
            del running[pid]
        time.sleep(0.02)
    return results


def _spawned(case: dict[str, Any]) -> int | str:
    with open(case["log"] + ".out", "wb") as out, open(case["log"] + ".err", "wb") as err:
        try:
            return subprocess.run([sys.executable, "-m", "bigtech_events", *case["argv"]], cwd=case["cwd"],
                                  env={**os.environ, **case["env"]}, stdout=out, stderr=err,
                                  check=False, timeout=CASE_TIMEOUT_S).returncode
        except subprocess.TimeoutExpired:
            return "timeout"


def main() -> None:
    cases_path, results_path = sys.argv[1:3]
    with open(cases_path, encoding="utf-8") as fh:
        cases = json.load(fh)
    if hasattr(os, "fork"):
        # the slow imports, once, before forking
        import bigtech_events.build
        import bigtech_events.cli
        import bigtech_events.diff
        import bigtech_events.validate  # noqa: F401

        results = run_forked(cases, max(1, os.cpu_count() or 1))
    else:
        results = {case["id"]: _spawned(case) for case in cases}
    with open(results_path, "w", encoding="utf-8") as fh:
        json.dump(results, fh)


if __name__ == "__main__":
    main()
