"""Installing a package is atomic: under kill -9 at any instant and under concurrent builds, the
output directory holds the old package or the new one, complete and valid, never a mixture.

The crash points of the install are covered twice: in this process, by stopping the install at
each of its renames (fast, every point), and through the command, by kill -9 inside the install
and at random moments of a build. ``BIGTECH_EVENTS_KILL_TRIALS`` sets how many random kills run
(default 2; run many locally, e.g. 50, after changing the install).
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest
import test_faults_os as faults
from test_faults_os import (
    NO_FRICTIONLESS,
    assert_one_line,
    build_args,
    group_members,
    run_cli,
    start_cli,
    temp_folders,
    tree,
    validate_args,
    wait_until,
)

from bigtech_events import install as inst
from bigtech_events.errors import UserError

# fixtures
old_seeds, old_package, out_dir, all_seeds = faults.old_seeds, faults.old_package, faults.out_dir, faults.all_seeds

KILL_TRIALS = int(os.environ.get("BIGTECH_EVENTS_KILL_TRIALS", "2"))


# ---------------------------------------------------------------- every crash point, in this process


class Crash(BaseException):
    """Stands for the process dying: nothing after it runs, no clean-up, no roll-back."""


def _fake_package(root: Path, tag: str) -> None:
    (root / "dataset").mkdir(parents=True)
    for table in ("articles", "events"):
        (root / "dataset" / f"{table}.csv").write_text(f"{tag} {table}\n")
    (root / "datapackage.json").write_text(f'{{"tag": "{tag}"}}\n')


def _staged(out: Path) -> Path:
    tmp = out / ".build-test"
    _fake_package(tmp, "new")
    return tmp


@pytest.fixture()
def old_and_new(tmp_path: Path) -> tuple[Path, dict[str, str], dict[str, str]]:
    out = tmp_path / "out"
    _fake_package(out, "new")
    new = tree(out)
    shutil.rmtree(out)
    _fake_package(out, "old")
    return out, tree(out), new


def _crash_at(monkeypatch: pytest.MonkeyPatch, call: int) -> None:
    real, calls = os.replace, []

    def replace(src: object, dst: object) -> None:
        calls.append(dst)
        if len(calls) == call:
            raise Crash
        real(src, dst)

    monkeypatch.setattr(os, "replace", replace)


@pytest.mark.parametrize("call", [1, 2, 3, 4])
def test_an_install_stopped_at_any_rename_is_finished_by_the_next_command(
        call: int, old_and_new: tuple[Path, dict[str, str], dict[str, str]], monkeypatch: pytest.MonkeyPatch):
    out, old, new = old_and_new
    tmp = _staged(out)
    with monkeypatch.context() as m:
        _crash_at(m, call)
        with pytest.raises(Crash):
            inst.install(tmp, out)
    assert (out / inst.JOURNAL_NAME).exists() == (call > 1)
    with inst.reading(out):
        assert tree(out) == (new if call > 1 else old)
    assert not (out / inst.JOURNAL_NAME).exists() and (call == 1 or not tmp.exists())


@pytest.mark.parametrize("call", [1, 2, 3])
def test_a_recovery_stopped_at_any_rename_is_finished_by_the_next_one(
        call: int, old_and_new: tuple[Path, dict[str, str], dict[str, str]], monkeypatch: pytest.MonkeyPatch):
    out, _, new = old_and_new
    tmp = _staged(out)
    with monkeypatch.context() as m:
        _crash_at(m, 2)
        with pytest.raises(Crash):
            inst.install(tmp, out)
    with monkeypatch.context() as m:
        _crash_at(m, call)
        with pytest.raises(Crash), inst.reading(out):
            pass
    with inst.reading(out):
        assert tree(out) == new


@pytest.mark.parametrize("call", [2, 3, 4])
def test_an_install_that_fails_puts_the_old_package_back(
        call: int, old_and_new: tuple[Path, dict[str, str], dict[str, str]], monkeypatch: pytest.MonkeyPatch):
    out, old, _ = old_and_new
    tmp = _staged(out)
    real, calls = os.replace, []

    def replace(src: object, dst: object) -> None:
        calls.append(dst)
        if len(calls) == call:
            raise OSError(5, "Input/output error", str(src))
        real(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(OSError, match="the previous package was put back") as err:
        inst.install(tmp, out)
    assert err.value.filename == str(out)
    assert tree(out) == old and not (out / inst.JOURNAL_NAME).exists()


def test_a_journal_naming_a_folder_outside_the_directory_is_refused(tmp_path: Path):
    _fake_package(tmp_path, "old")
    (tmp_path / inst.JOURNAL_NAME).write_text('{"temp": "../../etc"}\n')
    with pytest.raises(UserError, match="not a journal this program wrote"), inst.locked(tmp_path):
        pass


def test_stale_temporary_folders_go_and_live_ones_stay(tmp_path: Path):
    dead = tmp_path / ".build-dead"
    (dead / "dataset").mkdir(parents=True)
    (dead / inst.OWNER_NAME).write_text("")
    with inst.workspace(tmp_path) as live, inst.locked(tmp_path):
        assert inst.remove_stale(tmp_path) == []
        assert live.is_dir()
    assert temp_folders(tmp_path) == []


def test_a_dataset_an_earlier_version_moved_aside_is_put_back(tmp_path: Path):
    _fake_package(tmp_path, "old")
    before = tree(tmp_path)
    os.makedirs(tmp_path / ".build-x")
    os.replace(tmp_path / "dataset", tmp_path / ".build-x" / "old-dataset")  # died after its first rename
    with inst.locked(tmp_path):
        inst.remove_stale(tmp_path)
    assert tree(tmp_path) == before


# ---------------------------------------------------------------- through the command


KILL_AT_RENAME = """
import os, signal
_OUT, _N = os.environ["FAULT_DIR"] + os.sep, int(os.environ["FAULT_CALL"])
_real, _calls = os.replace, []
def _replace(src, dst, **k):
    if os.path.abspath(os.fspath(dst)).startswith(_OUT):
        _calls.append(dst)
        if len(_calls) == _N:
            os.kill(os.getpid(), signal.SIGKILL)
    return _real(src, dst, **k)
os.replace = _replace
"""


def test_kill_9_inside_the_install_leaves_a_package_the_next_command_completes(
        out_dir: Path, built_package: Path, all_seeds: Path):
    proc = run_cli(*build_args(out_dir), prelude=NO_FRICTIONLESS + KILL_AT_RENAME,
                   env={"FAULT_DIR": str(out_dir), "FAULT_CALL": "2"})
    assert proc.returncode == -signal.SIGKILL
    checked = run_cli(*validate_args(out_dir, all_seeds))
    assert checked.returncode == 0, checked.stderr
    assert tree(out_dir) == tree(built_package)


def test_kill_9_at_random_moments_leaves_the_old_or_the_new_package(out_dir: Path, built_package: Path):
    old, new = tree(out_dir), tree(built_package)
    seed = random.randrange(10**6)
    rng = random.Random(seed)
    for trial in range(KILL_TRIALS):
        proc = start_cli(*build_args(out_dir, jobs=2), prelude=NO_FRICTIONLESS)
        time.sleep(rng.uniform(0.0, 8.0))
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate(timeout=60)
        assert wait_until(lambda p=proc: not group_members(p.pid), 10), f"seed {seed}, trial {trial}"
        with inst.reading(out_dir):  # what the next command does first
            assert tree(out_dir) in (old, new), f"seed {seed}, trial {trial}: a mixture of two packages"


PAUSE = """
import os, time
_OUT = os.environ["FAULT_DIR"] + os.sep
def _pause(at):
    open(_OUT + "../paused-" + at, "w").close()
    while not os.path.exists(_OUT + "../go-" + at):
        time.sleep(0.05)
import bigtech_events.validate as _b
_validate = _b.validate_dir
def _validate_after_pause(*a, **k):
    _pause("validate")
    return _validate(*a, **k)
_b.validate_dir = _validate_after_pause
_real, _calls = os.replace, []
def _replace(src, dst, **k):
    if os.path.abspath(os.fspath(dst)).startswith(_OUT) and not _calls:
        _calls.append(dst)
        _pause("install")
    return _real(src, dst, **k)
os.replace = _replace
"""


def _wait_for(proc: subprocess.Popen[str], marker: Path) -> None:
    if not wait_until(lambda: marker.exists() or proc.poll() is not None, 180):
        proc.kill()
    assert marker.exists(), proc.communicate()


def test_concurrent_builds_install_whole_packages_one_at_a_time(
        out_dir: Path, built_package: Path, old_seeds: Path):
    old, new = tree(out_dir), tree(built_package)
    here = out_dir.parent
    first = start_cli(*build_args(out_dir, old_seeds), prelude=NO_FRICTIONLESS + PAUSE,
                      env={"FAULT_DIR": str(out_dir)})
    _wait_for(first, here / "paused-validate")  # its temporary folder is in out_dir meanwhile
    second = run_cli(*build_args(out_dir), prelude=NO_FRICTIONLESS)
    assert second.returncode == 0, second.stderr
    assert tree(out_dir) == new
    (here / "go-validate").touch()
    _wait_for(first, here / "paused-install")  # holds the lock, half-way through installing
    third = run_cli(*build_args(out_dir), env={inst.LOCK_WAIT_ENV: "1"})
    assert_one_line(third, str(out_dir / inst.LOCK_NAME), "another command")
    (here / "go-install").touch()
    _, err = first.communicate(timeout=120)
    assert first.returncode == 0, err
    assert tree(out_dir) == old
    assert temp_folders(out_dir) == []


def test_load_finishes_an_install_a_killed_build_left_half_done(
        package_copy: Path, monkeypatch: pytest.MonkeyPatch):
    """load() reads a package directory the way the commands do: a journaled install first."""
    import json

    import bigtech_events

    out = package_copy
    (out / inst.LOCK_NAME).touch()
    tmp = out / ".build-test"
    shutil.copytree(out / "dataset", tmp / "dataset")
    descriptor = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    descriptor["version"] = "9.9.9"
    (tmp / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    with monkeypatch.context() as m:
        _crash_at(m, 3)  # the new dataset/ is in place, the new descriptor not yet
        with pytest.raises(Crash):
            inst.install(tmp, out)
    assert (out / inst.JOURNAL_NAME).exists()
    events = bigtech_events.load("events", path=out)
    assert len(events) > 0 and not (out / inst.JOURNAL_NAME).exists()
    assert json.loads((out / "datapackage.json").read_text(encoding="utf-8"))["version"] == "9.9.9"
