"""Putting a built package in place: a lock, a journal, and a switch that survives kill -9.

A package is two entries of its output directory DIR: ``DIR/dataset/`` and
``DIR/datapackage.json``. No single rename replaces both, so the switch is journaled:

- ``DIR/.build.lock`` is locked (``flock``): exclusively while a build makes its temporary
  folder, installs or recovers; shared while a command reads the package. Builds run side by
  side; only their installs take turns (a build waits up to :data:`LOCK_WAIT` seconds, then
  stops with one line).
- ``DIR/.build-XXXX/`` is one build's temporary folder. The build holds a lock on its
  ``.owner`` file for as long as it runs, so a folder whose lock can be taken belongs to a build
  that died: it is removed before the next build starts.
- ``DIR/.build.journal`` names the temporary folder whose package is being installed. It is
  written only once that package has validated and its files are on disk, so the install can
  always be finished: the next command that opens DIR (build, validate, diff, release, cite)
  finishes it before doing anything else.

The install moves the old ``dataset/`` into the temporary folder, the new one into place, then
the new ``datapackage.json`` over the old, removes the journal and the temporary folder. Each
step is a rename inside DIR; whatever instant the process dies at, DIR holds the old package or
(after the next command) the new one, complete.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import shutil
import signal
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from .errors import UserError

LOCK_NAME = ".build.lock"
JOURNAL_NAME = ".build.journal"
TEMP_PREFIX = ".build-"
OWNER_NAME = ".owner"
LOCK_WAIT_ENV = "BIGTECH_EVENTS_LOCK_WAIT"
LOCK_WAIT = 600.0  # seconds a command waits for another one's install, unless $BIGTECH_EVENTS_LOCK_WAIT says
_POLL = 0.05
STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM}

#: File descriptors this process holds locks with; forked workers close their copies.
HELD_FDS: set[int] = set()


# ---------------------------------------------------------------- locks


def _open_lock(out_dir: Path, create: bool) -> int | None:
    """The lock file's descriptor; for a reader (``create`` false), None when there is no lock file."""
    path = out_dir / LOCK_NAME
    try:
        if create:
            return os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        return os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except FileNotFoundError:
        if create:
            raise
        return None
    except OSError as exc:
        if create:
            raise _cannot_write(out_dir, exc) from exc
        raise OSError(exc.errno, f"cannot read in this directory ({exc.strerror})", str(out_dir)) from exc


def lock_wait() -> float:
    """Seconds to wait for the lock: ``$BIGTECH_EVENTS_LOCK_WAIT``, else :data:`LOCK_WAIT`."""
    given = os.environ.get(LOCK_WAIT_ENV, "")
    try:
        return max(0.0, float(given)) if given else LOCK_WAIT
    except ValueError:
        raise UserError(f"{LOCK_WAIT_ENV}={given!r}: not a number of seconds; set it to one, e.g. 60") from None


def _flock(fd: int, mode: int, out_dir: Path, wait: float | None) -> None:
    wait = lock_wait() if wait is None else wait
    deadline = time.monotonic() + wait
    while True:
        try:
            fcntl.flock(fd, mode | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise UserError(f"{out_dir / LOCK_NAME}: another command has been installing or reading this "
                                f"package for {wait:.0f} s; wait for it to finish (or stop it) and run the "
                                "command again") from None
            time.sleep(_POLL)


@contextlib.contextmanager
def locked(out_dir: Path, wait: float | None = None) -> Iterator[None]:
    """Hold the exclusive lock of ``out_dir`` (created if missing), after finishing any journaled install."""
    fd = _open_lock(out_dir, create=True)
    assert fd is not None
    HELD_FDS.add(fd)
    try:
        _flock(fd, fcntl.LOCK_EX, out_dir, wait)
        recover(out_dir)
        yield
    finally:
        HELD_FDS.discard(fd)
        os.close(fd)


@contextlib.contextmanager
def reading(path: Path, wait: float | None = None) -> Iterator[None]:
    """Read the package at ``path`` with no install half done and none starting meanwhile.

    A journaled install is finished first. A zip, a missing path or a directory no build of this
    version has written (no lock file) is read as it is.
    """
    if not path.is_dir():
        yield
        return
    fd = _open_lock(path, create=False)
    if fd is None:
        yield
        return
    HELD_FDS.add(fd)
    try:
        if (path / JOURNAL_NAME).exists():
            _flock(fd, fcntl.LOCK_EX, path, wait)
            recover(path)
        _flock(fd, fcntl.LOCK_SH, path, wait)
        yield
    finally:
        HELD_FDS.discard(fd)
        os.close(fd)


# ---------------------------------------------------------------- temporary folders


def prepare_out_dir(out_dir: Path) -> None:
    """Create ``out_dir`` if missing and make sure a build can write there (before any slow work)."""
    if out_dir.exists() and not out_dir.is_dir():
        raise UserError(f"{out_dir}: is a file, not a directory; pass --out a directory (it is created if "
                        "missing)")
    out_dir.mkdir(parents=True, exist_ok=True)
    fd = _open_lock(out_dir, create=True)
    if fd is not None:
        os.close(fd)
    if not os.access(out_dir, os.W_OK | os.X_OK):
        raise _cannot_write(out_dir, OSError(errno.EACCES, os.strerror(errno.EACCES)))


def _cannot_write(out_dir: Path, exc: OSError) -> OSError:
    return OSError(exc.errno, f"cannot write in this directory ({exc.strerror or exc})", str(out_dir))



def _owned(folder: Path) -> bool:
    """Whether a live build holds ``folder`` (its ``.owner`` lock cannot be taken)."""
    try:
        fd = os.open(folder / OWNER_NAME, os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return False
    except BlockingIOError:
        return True
    finally:
        os.close(fd)


def remove_stale(out_dir: Path) -> list[Path]:
    """Remove the temporary folders of builds that died (call with the exclusive lock held)."""
    removed = []
    for folder in sorted(out_dir.glob(f"{TEMP_PREFIX}*")):
        if folder.is_dir() and not folder.is_symlink() and not _owned(folder):
            _rescue_old_dataset(out_dir, folder)
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def _rescue_old_dataset(out_dir: Path, folder: Path) -> None:
    """Put back a ``dataset/`` that a build of an earlier version moved aside and then died."""
    old = folder / "old-dataset"
    if old.is_dir() and not (out_dir / "dataset").exists():
        os.replace(old, out_dir / "dataset")


@contextlib.contextmanager
def workspace(out_dir: Path) -> Iterator[Path]:
    """A temporary folder in ``out_dir`` owned by this build, removed on the way out."""
    with locked(out_dir):
        remove_stale(out_dir)
        try:
            tmp = Path(tempfile.mkdtemp(prefix=TEMP_PREFIX, dir=out_dir))
        except OSError as exc:
            raise _cannot_write(out_dir, exc) from exc
        owner = os.open(tmp / OWNER_NAME, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        fcntl.flock(owner, fcntl.LOCK_EX)
    HELD_FDS.add(owner)
    try:
        yield tmp
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        HELD_FDS.discard(owner)
        os.close(owner)


# ---------------------------------------------------------------- install and recovery


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_tree(tmp: Path) -> None:
    for path in (*sorted((tmp / "dataset").iterdir()), tmp / "datapackage.json", tmp / "dataset", tmp):
        _fsync(path)


def _write_journal(out_dir: Path, tmp: Path) -> None:
    staged = tmp / "journal"
    staged.write_text(json.dumps({"temp": tmp.name}) + "\n", encoding="utf-8")
    _fsync(staged)
    os.replace(staged, out_dir / JOURNAL_NAME)
    _fsync(out_dir)


def _journaled_temp(out_dir: Path) -> Path | None:
    """The temporary folder the journal names; None if there is no journal."""
    journal = out_dir / JOURNAL_NAME
    try:
        name = json.loads(journal.read_text(encoding="utf-8")).get("temp", "")
    except FileNotFoundError:
        return None
    except (ValueError, AttributeError, UnicodeDecodeError):
        name = ""
    if not (isinstance(name, str) and name.startswith(TEMP_PREFIX) and "/" not in name and name != TEMP_PREFIX):
        raise UserError(f"{journal}: not a journal this program wrote; remove it and run `bigtech-events build`")
    return out_dir / name


def _finish(out_dir: Path, tmp: Path) -> None:
    """Steps of the install not done yet (each is idempotent), then the journal and ``tmp`` go."""
    target, new, old = out_dir / "dataset", tmp / "dataset", tmp / "old-dataset"
    if new.is_dir():
        if target.exists():
            if old.exists():
                shutil.rmtree(old)
            os.replace(target, old)
        os.replace(new, target)
    if (tmp / "datapackage.json").is_file():
        os.replace(tmp / "datapackage.json", out_dir / "datapackage.json")
    _fsync(out_dir)
    (out_dir / JOURNAL_NAME).unlink(missing_ok=True)
    shutil.rmtree(tmp, ignore_errors=True)


def recover(out_dir: Path) -> bool:
    """Finish an install a dead process left journaled (call with the exclusive lock held)."""
    try:
        tmp = _journaled_temp(out_dir)
        if tmp is None:
            return False
        _finish(out_dir, tmp)
    except OSError as exc:
        raise UserError(f"{out_dir}: an interrupted install of a new package cannot be finished "
                        f"({exc.strerror or exc}); make the directory writable and run the command again") from None
    return True


def _roll_back(out_dir: Path, tmp: Path) -> None:
    """Undo a failed install: the old ``dataset/`` back in place, the journal gone."""
    target, new, old = out_dir / "dataset", tmp / "dataset", tmp / "old-dataset"
    if not (tmp / "datapackage.json").is_file():
        return  # the new descriptor is in place: the install is done, only its tidying failed
    if old.is_dir():
        if target.exists() and not new.exists():
            os.replace(target, new)
        os.replace(old, target)
    (out_dir / JOURNAL_NAME).unlink(missing_ok=True)


@contextlib.contextmanager
def held_signals() -> Iterator[None]:
    """SIGINT and SIGTERM wait until the block ends (delivered at once afterwards); children
    started inside start with them held."""
    before = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)


def install(tmp: Path, out_dir: Path) -> None:
    """Switch the validated package in ``tmp`` into ``out_dir`` (see the module docstring)."""
    _fsync_tree(tmp)
    with locked(out_dir), held_signals():  # signals held once the lock is taken: Ctrl-C ends a wait
        _write_journal(out_dir, tmp)
        try:
            _finish(out_dir, tmp)
        except OSError as exc:
            with contextlib.suppress(OSError):
                _roll_back(out_dir, tmp)
            raise OSError(exc.errno, f"installing the new package failed ({exc.strerror or exc}); the previous "
                          "package was put back", str(out_dir)) from exc
