"""The machine's faults, through the command as a user runs it: one line, exit 1, old package kept.

Each test runs ``bigtech-events`` in a subprocess. Faults that need privileges to cause for real
(a full disk, a read-only file system when the tests run as root) are caused by replacing one
library call in that subprocess, before the command starts, with one that fails as the real one
does (``OSError`` with the same errno and message).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import nullcontext as does_not_raise
from pathlib import Path

import pytest
from helpers import REPO, RULES_DIR, SEEDS_DIR

from bigtech_events.build import build
from bigtech_events.evaluate import prepare_seeds
from bigtech_events.validate import validate_dir

SYNTHETIC = REPO / "tests" / "fixtures" / "synthetic"
RUN = "import sys\nfrom bigtech_events.cli import main\nmain(sys.argv[1:])\n"
# For builds that get as far as validating: skip the Frictionless pass (slow, and not what they test).
NO_FRICTIONLESS = """
import bigtech_events.validate as _validate
_validate_dir = _validate.validate_dir
_validate.validate_dir = lambda *a, **k: _validate_dir(*a, **{**k, "run_frictionless": False})
"""


# ---------------------------------------------------------------- helpers (test_install_atomic uses them too)


def cli_args(*args: object) -> list[str]:
    return [str(a) for a in args]


def run_cli(*args: object, prelude: str = "", env: dict[str, str] | None = None,
            timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """``bigtech-events ARGS`` in a subprocess, after ``prelude`` (Python) has run in it."""
    return subprocess.run([sys.executable, "-c", prelude + "\n" + RUN, *cli_args(*args)], capture_output=True,
                          text=True, check=False, timeout=timeout, env={**os.environ, **(env or {})})


def start_cli(*args: object, prelude: str = "", env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    """The same, started in a session of its own (so that its workers can be found) and not waited for."""
    return subprocess.Popen([sys.executable, "-c", prelude + "\n" + RUN, *cli_args(*args)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
                            env={**os.environ, **(env or {})})


def tree(root: Path) -> dict[str, str]:
    """sha256 of every file of a package directory, its temporary folders and lock aside."""
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*"))
            if p.is_file() and not p.relative_to(root).parts[0].startswith(".build")}


def temp_folders(root: Path) -> list[str]:
    return sorted(p.name for p in root.glob(".build-*"))


def group_members(pgid: int) -> list[int]:
    """Processes still alive (not zombies) in process group ``pgid``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] != "Z" and int(fields[2]) == pgid:
            found.append(int(entry.name))
    return found


def wait_until(condition: Callable[[], bool], timeout: float, step: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return condition()


def assert_one_line(proc: subprocess.CompletedProcess[str], *words: str) -> None:
    err = proc.stderr.strip()
    assert proc.returncode == 1, (proc.returncode, proc.stderr)
    assert "Traceback" not in proc.stderr and err.count("\n") == 0, proc.stderr
    assert err.startswith("error: "), err
    for word in words:
        assert word in err, (word, err)


def synthetic_seeds(dest: Path, count: int) -> Path:
    """A seeds folder with the first ``count`` synthetic articles."""
    annotated = dest.with_name(dest.name + "-annotated")
    annotated.mkdir(parents=True)
    dest.mkdir(parents=True)
    for txt in sorted(SYNTHETIC.glob("*.txt"))[:count]:
        shutil.copy(txt, annotated)
        shutil.copy(txt.with_suffix(".yaml"), annotated)
    prepare_seeds(annotated, dest)
    return dest


@pytest.fixture(scope="session")
def old_seeds(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return synthetic_seeds(tmp_path_factory.mktemp("old") / "seeds", 1)


@pytest.fixture(scope="session")
def old_package(old_seeds: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A package other than the repository's (one synthetic article): what a build replaces."""
    out = tmp_path_factory.mktemp("old-pkg")
    build(old_seeds, RULES_DIR, out, jobs=1, run_frictionless=False)
    return out


@pytest.fixture()
def out_dir(old_package: Path, tmp_path: Path) -> Path:
    """An output directory holding the old package."""
    dest = tmp_path / "out"
    shutil.copytree(old_package, dest)
    return dest


def build_args(out: Path, seeds: Path = SEEDS_DIR, jobs: int = 1) -> list[object]:
    """A build that extracts every article (no cache: another test's entries would spare it the work)."""
    return ["build", "--seeds", seeds, "--rules", RULES_DIR, "--out", out, "--jobs", jobs, "--no-cache"]


@pytest.fixture(scope="session")
def all_seeds(old_seeds: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seeds of the old package and of the repository's, for validating either."""
    dest = tmp_path_factory.mktemp("all-seeds")
    for path in (*old_seeds.iterdir(), *SEEDS_DIR.iterdir()):
        shutil.copy(path, dest)
    return dest


def validate_args(out: Path, seeds: Path) -> list[object]:
    return ["validate", out, "--seeds", seeds, "--no-frictionless"]


# ---------------------------------------------------------------- the output path


def test_an_output_path_that_is_a_file_is_refused_in_one_line(tmp_path: Path):
    out = tmp_path / "out"
    out.write_text("not a package\n")
    proc = run_cli(*build_args(out))
    assert_one_line(proc, str(out), "not a directory")
    assert out.read_text() == "not a package\n"


def test_an_output_path_inside_a_file_is_refused_in_one_line(tmp_path: Path):
    (tmp_path / "file").write_text("x")
    out = tmp_path / "file" / "out"
    proc = run_cli(*build_args(out))
    assert_one_line(proc, str(out), "Not a directory", "choose another path")


READ_ONLY = """
import errno, os
_OUT = os.environ["FAULT_DIR"]
_real_open, _real_mkdir = os.open, os.mkdir
def _refuse(path):
    if os.path.abspath(os.fspath(path)).startswith(_OUT + os.sep):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS), os.fspath(path))
def _open(path, flags, *a, **k):
    if flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
        _refuse(path)
    return _real_open(path, flags, *a, **k)
def _mkdir(path, *a, **k):
    _refuse(path)
    return _real_mkdir(path, *a, **k)
os.open, os.mkdir = _open, _mkdir
"""


@pytest.mark.parametrize("how", ["file system", "permissions"])
def test_a_read_only_output_directory_is_reported_in_one_line(how: str, out_dir: Path):
    before = tree(out_dir)
    if how == "permissions":
        if os.geteuid() == 0:
            pytest.skip("permissions do not stop root; the 'file system' case covers it")
        out_dir.chmod(0o555)
        proc = run_cli(*build_args(out_dir))
        out_dir.chmod(0o755)
        cause = "Permission denied"
    else:
        proc = run_cli(*build_args(out_dir), prelude=READ_ONLY, env={"FAULT_DIR": str(out_dir)})
        cause = "Read-only file system"
    assert_one_line(proc, str(out_dir), cause)
    assert tree(out_dir) == before
    assert temp_folders(out_dir) == []


# ---------------------------------------------------------------- a full disk

DISK_FULL = """
import errno, pyarrow.parquet as pq
def _full(*a, **k):
    raise OSError(errno.ENOSPC, "Error writing bytes to file. Detail: [errno 28] No space left on device")
pq.ParquetWriter.write_batch = pq.ParquetWriter.write_table = _full
"""


def test_a_full_disk_is_reported_in_one_line_and_leaves_nothing_behind(out_dir: Path):
    (out_dir / ".build-deadbeef" / "dataset").mkdir(parents=True)  # a build killed long ago
    before = tree(out_dir)
    proc = run_cli(*build_args(out_dir), prelude=DISK_FULL)
    assert_one_line(proc, str(out_dir), "No space left on device", "free some space")
    assert tree(out_dir) == before
    assert temp_folders(out_dir) == []


# ---------------------------------------------------------------- signals and workers


@pytest.fixture(scope="session")
def many_seeds(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Enough articles for a pool of workers to be busy for a while (seconds, not a blink: the
    tests below wait to see the workers before they stop the build)."""
    seeds = synthetic_seeds(tmp_path_factory.mktemp("many") / "seeds", 20)
    for txt in sorted(seeds.glob("*.txt")):
        for copy in range(1, 20):
            for path in (txt, txt.with_suffix(".yaml")):
                shutil.copyfile(path, seeds / f"{txt.stem}-copy{copy}{path.suffix}")
    return seeds


def _start_with_workers(out: Path, seeds: Path) -> subprocess.Popen[str]:
    """A two-worker build, returned once its workers are running."""
    proc = start_cli(*build_args(out, seeds, jobs=2))
    if not wait_until(lambda: len(group_members(proc.pid)) >= 3 or proc.poll() is not None, 120):
        proc.kill()
        pytest.fail("the build started no workers")
    return proc


def _gone(pgid: int) -> bool:
    return wait_until(lambda: not group_members(pgid), 10)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_stopped_build_exits_cleanly_with_its_workers(signum: int, out_dir: Path, many_seeds: Path):
    before = tree(out_dir)
    proc = _start_with_workers(out_dir, many_seeds)
    os.killpg(proc.pid, signum)  # as a terminal (Ctrl-C) or a service manager does: the whole group
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 128 + signum, (proc.returncode, err)
    assert "Traceback" not in err, err
    assert _gone(proc.pid), "worker processes outlived the build"
    assert tree(out_dir) == before
    assert temp_folders(out_dir) == []


def test_workers_die_with_a_killed_build_and_validate_ignores_its_leftovers(out_dir: Path, many_seeds: Path,
                                                                            old_seeds: Path):
    before = tree(out_dir)
    proc = _start_with_workers(out_dir, many_seeds)
    os.kill(proc.pid, signal.SIGKILL)  # the build alone, as the out-of-memory killer does
    _, err = proc.communicate(timeout=60)
    assert _gone(proc.pid), "worker processes outlived the killed build"
    assert "Traceback" not in err, err
    assert tree(out_dir) == before
    assert validate_dir(out_dir, seeds_dir=old_seeds, run_frictionless=False) == []


# ---------------------------------------------------------------- the worker pool itself


def _square(n: int) -> int:
    if n == 7 and os.environ.get("POOL_FAULT") == "raise":
        raise ValueError("seven")
    if n == 7 and os.environ.get("POOL_FAULT") == "die":
        os.kill(os.getpid(), signal.SIGKILL)
    return n * n


@pytest.mark.parametrize("fresh", [False, True])
@pytest.mark.parametrize("fault", ["", "raise", "die"])
def test_the_worker_pool_keeps_order_and_reports_a_failed_or_dead_worker(fault: str, fresh: bool,
                                                                          monkeypatch: pytest.MonkeyPatch):
    from bigtech_events.errors import UserError
    from bigtech_events.workers import WorkerPool, worker_setup

    monkeypatch.setenv("POOL_FAULT", fault)
    expected = {"": does_not_raise(), "raise": pytest.raises(ValueError, match="seven"),
                "die": pytest.raises(UserError, match="worker process was killed by signal 9")}[fault]
    with expected, WorkerPool(2, _square, worker_setup, (os.getpid(),), fresh=fresh) as pool:
        assert list(pool.imap(list(range(40)), chunksize=3)) == [n * n for n in range(40)]


@pytest.mark.parametrize("fresh", [False, True])
def test_a_worker_holds_its_next_chunk_while_it_works_unless_the_pool_is_fresh(fresh: bool,
                                                                              monkeypatch: pytest.MonkeyPatch):
    """A worker that had to wait for the parent to read its answer before it got more work sat
    idle for 7% of a build; a fresh pool starts a new worker per chunk, so it cannot send ahead."""
    from bigtech_events.workers import WorkerPool, worker_setup

    events: list[tuple[str, int]] = []
    feed, receive = WorkerPool._feed, WorkerPool._receive

    def logged_feed(proc, conn, task, busy):
        if task is not None:
            events.append(("sent", task[0]))
        feed(proc, conn, task, busy)

    def logged_receive(conn, proc, doing):
        index, results = receive(conn, proc, doing)
        events.append(("answered", index))
        return index, results

    monkeypatch.setattr(WorkerPool, "_feed", staticmethod(logged_feed))
    monkeypatch.setattr(WorkerPool, "_receive", staticmethod(logged_receive))
    with WorkerPool(1, _square, worker_setup, (os.getpid(),), fresh=fresh) as pool:
        assert list(pool.imap(range(10), chunksize=2)) == [n * n for n in range(10)]
    for index in range(1, 5):  # chunk index was sent before chunk index - 1 was answered, or after
        ahead = events.index(("sent", index)) < events.index(("answered", index - 1))
        assert ahead is not fresh, events
    assert sorted(i for what, i in events if what == "answered") == list(range(5))


def _pid(_: int) -> int:
    return os.getpid()


def _arrow_threads(_: int) -> tuple[int, int]:
    import pyarrow as pa

    return pa.cpu_count(), pa.io_thread_count()


def test_a_worker_gives_arrow_one_thread_of_each_kind_and_leaves_the_parent_alone():
    """A worker is one of --jobs processes, one per core: Arrow's own threads in it would compete
    with the other workers. The parent's Arrow is not changed."""
    import pyarrow as pa

    from bigtech_events.workers import WorkerPool, worker_setup

    before = (pa.cpu_count(), pa.io_thread_count())
    with WorkerPool(2, _arrow_threads, worker_setup, (os.getpid(),), fresh=True) as pool:
        found = set(pool.imap(range(4), chunksize=1))
    assert found == {(1, 1)}
    assert (pa.cpu_count(), pa.io_thread_count()) == before


@pytest.mark.parametrize("fresh", [False, True])
def test_a_fresh_pool_gives_each_chunk_a_new_worker_and_leaves_none_behind(fresh: bool):
    from bigtech_events.workers import WorkerPool, worker_setup

    with WorkerPool(2, _pid, worker_setup, (os.getpid(),), fresh=fresh) as pool:
        pids = list(pool.imap(range(12), chunksize=2))
        workers = [proc for proc, _ in pool._workers]
    by_chunk = [set(pids[i:i + 2]) for i in range(0, 12, 2)]
    assert all(len(chunk) == 1 for chunk in by_chunk)  # a chunk is one task of one worker
    assert len(set(pids)) == (6 if fresh else 2)
    assert len(workers) == 2 and not any(proc.is_alive() for proc in workers)


# ---------------------------------------------------------------- release


@pytest.fixture()
def release_root(built_package: Path, tmp_path: Path) -> Path:
    from test_release import make_root

    return make_root(built_package, tmp_path / "root")


def test_release_files_are_readable_by_others(release_root: Path):
    from bigtech_events.release import release

    report = release(release_root, registry=release_root / "registry.txt", run_frictionless=False)
    for path in (report.zip_path, *report.updated):
        assert path.stat().st_mode & 0o777 == 0o644, path


ZIP_DISK_FULL = """
import errno, zipfile
def _full(*a, **k):
    raise OSError(errno.ENOSPC, "No space left on device")
zipfile.ZipFile.writestr = _full
"""


def test_a_full_disk_during_a_release_is_one_line_and_writes_nothing(release_root: Path):
    before = tree(release_root)
    proc = run_cli("release", "--package", release_root, "--registry", release_root / "registry.txt",
                   "--no-frictionless", prelude=ZIP_DISK_FULL)
    assert_one_line(proc, str(release_root / "build"), "No space left on device", "free some space")
    assert tree(release_root) == before
    assert list((release_root / "build").iterdir()) == []
