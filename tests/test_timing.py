"""Stage timing (bigtech_events.timing): off by default at no cost, on it sums seconds per stage
over the build's processes without changing a byte of the package."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import REPO, RULES_DIR

from bigtech_events import timing
from bigtech_events.build import build
from bigtech_events.evaluate import prepare_seeds

FIXTURES = REPO / "tests" / "fixtures" / "synthetic"

STAGES = {"ingest", "matching", "events", "dates", "amounts", "rows", "validation", "writing"}


def test_off_returns_the_function_itself_and_measures_nothing(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(timing, "ON", False)

    def f() -> int:
        return 1

    assert timing.timed("rows")(f) is f
    with timing.stage("rows"):
        pass
    assert timing.take() == {}


def test_nested_labels_count_exclusive_time(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(timing, "ON", True)
    monkeypatch.setattr(timing, "_totals", {})
    with timing.stage("events"):
        time.sleep(0.02)
        with timing.stage("dates"):
            time.sleep(0.05)
    got = timing.take()
    assert 0.04 < got["dates"] < 1.0
    assert 0.01 < got["events"] < got["dates"]  # the inner 0.05 s is not counted twice
    assert timing.take() == {}  # taken once
    timing.merge({"dates": 1.5})
    timing.merge({"dates": 0.5, "rows": 1.0})
    assert timing.totals() == {"dates": 2.0, "rows": 1.0}


def test_timed_build_reports_every_stage_and_writes_the_same_package(tmp_path: Path):
    """Timed, with two workers, on the synthetic articles: every stage reported, the workers'
    seconds and memory included, and the package byte for byte that of an untimed build."""
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    prepare_seeds(FIXTURES, seeds)
    build(seeds, RULES_DIR, tmp_path / "plain", jobs=1)
    env = {**os.environ, timing.ENV: "1", "PYTHONPATH": str(REPO / "src")}
    proc = subprocess.run([sys.executable, "-m", "bigtech_events", "build", "--seeds", str(seeds),
                           "--rules", str(RULES_DIR), "--out", str(tmp_path / "timed"), "--jobs", "2", "--no-cache"],
                          capture_output=True, text=True, env=env, check=True)
    line = next(x for x in proc.stderr.splitlines() if x.startswith("timing "))
    report = json.loads(line.removeprefix("timing "))
    assert set(report["seconds"]) == STAGES
    assert report["seconds"]["matching"] > 0 and report["seconds"]["events"] > 0  # from the workers
    assert report["peak_parent_mb"] > 10 and report["peak_workers_mb"] > 10
    for f in sorted((tmp_path / "plain" / "dataset").iterdir()):
        assert (tmp_path / "timed" / "dataset" / f.name).read_bytes() == f.read_bytes(), f.name
