"""A build with workers validates in a process forked before it extracts (standby.StandbyValidation),
so that the validation workers start at the size of the imports, not at the size the build grew to."""

from __future__ import annotations

import gc
import json
import os
import signal
from pathlib import Path

import pytest
from helpers import RULES_DIR, SEEDS_DIR

from bigtech_events import build as build_mod
from bigtech_events import validate as validate_mod
from bigtech_events.build import build
from bigtech_events.errors import UserError

#: Set in the build's process once it starts extracting; a process forked before sees it unset.
_EXTRACTING: list[bool] = []


@pytest.fixture()
def recorded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The file where the validating process writes who it is and what it saw."""
    record = tmp_path / "where.json"
    real_validate, real_extract = validate_mod.validate_dir, build_mod._extract_items

    def where(root: Path, **options: object) -> list[str]:
        fault = os.environ.get("STANDBY_FAULT", "")
        record.write_text(json.dumps({"pid": os.getpid(), "ppid": os.getppid(), "extracting": bool(_EXTRACTING),
                                      "fault": fault}))
        if fault == "raise":
            raise UserError("refused by the check")
        if fault == "die":
            os.kill(os.getpid(), signal.SIGKILL)
        return real_validate(root, **options)

    def extracting(*args: object, **kwargs: object):
        _EXTRACTING.append(True)
        return real_extract(*args, **kwargs)

    monkeypatch.setattr(validate_mod, "validate_dir", where)
    monkeypatch.setattr(build_mod, "_extract_items", extracting)
    _EXTRACTING.clear()
    yield record
    _EXTRACTING.clear()


def test_a_build_with_workers_validates_in_a_process_forked_before_extracting(recorded: Path, tmp_path: Path,
                                                                             built_package: Path):
    out = tmp_path / "out"
    build(SEEDS_DIR, RULES_DIR, out, jobs=2)
    seen = json.loads(recorded.read_text())
    assert seen["pid"] != os.getpid() and seen["ppid"] == os.getpid()
    assert seen["extracting"] is False  # forked before the build extracted anything
    assert _EXTRACTING  # while the build itself did extract
    for path in sorted((built_package / "dataset").iterdir()):
        assert (out / "dataset" / path.name).read_bytes() == path.read_bytes(), path.name


def test_a_build_with_one_job_validates_in_its_own_process(recorded: Path, tmp_path: Path):
    build(SEEDS_DIR, RULES_DIR, tmp_path / "out", jobs=1)
    seen = json.loads(recorded.read_text())
    assert seen["pid"] == os.getpid() and seen["extracting"] is True


@pytest.mark.parametrize(("fault", "message"), [
    ("raise", "refused by the check"),
    ("die", "worker process was killed by signal 9 while validating the package"),
])
def test_a_validation_that_fails_or_dies_stops_the_build_and_installs_nothing(fault: str, message: str,
                                                                            recorded: Path, tmp_path: Path,
                                                                            monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("STANDBY_FAULT", fault)
    out = tmp_path / "out"
    with pytest.raises(UserError, match=message):
        build(SEEDS_DIR, RULES_DIR, out, jobs=2)
    assert json.loads(recorded.read_text())["fault"] == fault
    assert not (out / "datapackage.json").exists()
    assert not [p for p in out.iterdir() if p.name.startswith(".build-")]


@pytest.mark.parametrize("frozen_before", [False, True])
def test_the_build_unfreezes_only_what_it_froze(frozen_before: bool, tmp_path: Path):
    """The objects shared with the standby process are frozen while the build runs (so that the
    build's garbage collection leaves their pages shared) and unfrozen after it, unless the caller
    had frozen objects of its own."""
    gc.unfreeze()
    if frozen_before:
        gc.freeze()
    seen: list[int] = []
    real = build_mod._extract_items

    def extracting(*args: object, **kwargs: object):
        seen.append(gc.get_freeze_count())
        return real(*args, **kwargs)

    try:
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(build_mod, "_extract_items", extracting)
            build(SEEDS_DIR, RULES_DIR, tmp_path / "out", jobs=2)
        assert seen and seen[0] > 0
        assert (gc.get_freeze_count() > 0) is frozen_before
    finally:
        gc.unfreeze()


@pytest.mark.parametrize(("jobs", "imported"), [(2, False), (1, True)])
def test_a_build_with_workers_leaves_the_validation_imports_to_the_validating_process(jobs: int, imported: bool,
                                                                                    tmp_path: Path):
    """Extracting and writing need Arrow alone; pandera and the checks built on it are the
    validation's, imported by the process that validates (the build's own with one job)."""
    import subprocess
    import sys

    from helpers import REPO

    code = ("import sys; from pathlib import Path; from bigtech_events.build import build; "
            f"build(Path({str(SEEDS_DIR)!r}), Path({str(RULES_DIR)!r}), Path({str(tmp_path / 'out')!r}), jobs={jobs}); "
            "print(sorted(m for m in ('pandera', 'bigtech_events.validate') if m in sys.modules))")
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert done.stdout.split("\n")[-2] == str(["bigtech_events.validate", "pandera"] if imported else [])
    assert (tmp_path / "out" / "datapackage.json").is_file()
