"""Worker processes that die with their parent, leave signals to it and never print tracebacks.

A build's workers are forked (or spawned) children. Left to themselves they outlive a parent
killed with SIGKILL, print a traceback each on Ctrl-C and run the parent's SIGTERM handler.
:func:`worker_setup`, run first in each worker, makes it ignore SIGINT (the build stops its
workers), die quietly on SIGTERM, close the parent's lock files and die as soon as its parent
does. :class:`WorkerPool` gives each worker a pipe of its own, so that a worker dying at any
moment can neither hang the build nor be taken for a result.
"""

from __future__ import annotations

import contextlib
import ctypes
import itertools
import multiprocessing as mp
import os
import pickle
import platform
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from typing import Any, Self

from .errors import UserError
from .install import HELD_FDS, STOP_SIGNALS, held_signals

_PR_SET_PDEATHSIG = 1
_WATCH_INTERVAL = 0.5
#: Whether this machine is one whose pyarrow wheels are built with jemalloc (manylinux x86_64 and
#: aarch64): elsewhere asking Arrow's C++ code for jemalloc would print a warning at each start.
_LINUX_WHEEL_MACHINE = platform.machine() in {"x86_64", "aarch64"}


def use_returning_allocator() -> None:
    """Give Arrow's buffers to jemalloc for this process (unless ``ARROW_DEFAULT_MEMORY_POOL``
    names a pool), where Arrow is built with it (Linux wheels are; elsewhere Arrow's default stays).

    Arrow's default allocator, mimalloc, keeps the pages of freed batches mapped: reading a
    20,000-article package's keys a batch at a time left the process 115 MB larger than with
    jemalloc or the system allocator, though Arrow never held more than 12 MB at once.

    Setting pyarrow's pool covers the buffers Python asks for; Arrow's C++ code (the Parquet
    reader's and writer's own buffers, the CSV writer) takes its pool from
    ``ARROW_DEFAULT_MEMORY_POOL`` when pyarrow is first imported. Called before that on Linux,
    this sets the variable to jemalloc: the span checks of 100,000 articles then peaked at
    260 MB instead of 300, and a 10,000-article build's process held 20 MB less before validating.
    """
    if os.environ.get("ARROW_DEFAULT_MEMORY_POOL"):
        return
    if "pyarrow" not in sys.modules and sys.platform.startswith("linux") and _LINUX_WHEEL_MACHINE:
        os.environ["ARROW_DEFAULT_MEMORY_POOL"] = "jemalloc"  # read once, when pyarrow is imported
    import pyarrow as pa

    with contextlib.suppress(NotImplementedError):
        pa.set_memory_pool(pa.jemalloc_memory_pool())
        pa.jemalloc_set_decay_ms(0)


def one_arrow_thread() -> None:
    """Let Arrow use one thread of its own for computing and one for reading: a worker is already
    one of ``--jobs`` processes, one per core, and more threads in it would only compete with the
    other workers, each with buffers of its own (checking the foreign keys of 100,000 articles took
    40 MB less, in the same time)."""
    import pyarrow as pa

    pa.set_cpu_count(1)
    pa.set_io_thread_count(1)


def return_free_memory() -> None:
    """Hand the C heap's free pages back to the system where the C library can (glibc's
    ``malloc_trim``): a process about to fork workers would otherwise pass each of them pages it
    no longer uses (25 MB after a 100,000-article build's writing)."""
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).malloc_trim(0)


def worker_setup(parent: int) -> None:
    """Initializer of a pool worker whose parent has process id ``parent``."""
    use_returning_allocator()  # inherited when forked; a spawned worker chooses again
    one_arrow_thread()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)
    for fd in list(HELD_FDS):
        with contextlib.suppress(OSError):
            os.close(fd)
    HELD_FDS.clear()
    _die_with(parent)


def _die_with(parent: int) -> None:
    if not _set_parent_death_signal():
        threading.Thread(target=_watch, args=(parent,), daemon=True).start()
    if os.getppid() != parent:  # the parent died before the signal was set
        os._exit(1)


def _set_parent_death_signal() -> bool:
    """Ask Linux to send SIGKILL when the parent dies; False where that cannot be asked."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _watch(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(_WATCH_INTERVAL)
    os._exit(1)


# ---------------------------------------------------------------- the pool


def _serve(conn: Connection, fn: Callable[[Any], Any], init: Callable[..., None], initargs: tuple[Any, ...]) -> None:
    """A worker's life: set up, then answer each ``(index, items)`` with ``(index, results, error)``."""
    try:
        init(*initargs)
        while (task := conn.recv()) is not None:
            index, items = task
            try:
                reply = (index, [fn(item) for item in items], None)
            except Exception as exc:  # noqa: BLE001 - raised again in the parent
                reply = (index, None, exc)
            try:
                conn.send(reply)
            except (pickle.PicklingError, TypeError, AttributeError):
                conn.send((index, None, RuntimeError(f"{type(reply[2]).__name__}: {reply[2]}")))
    except (EOFError, OSError, KeyboardInterrupt):
        pass  # the parent is gone or stopping this worker: leave without a word


class WorkerPool:
    """Worker processes mapping one function over items, results in the items' order.

    Each worker has a pipe of its own (no lock shared between workers, unlike
    :class:`multiprocessing.pool.Pool`, whose shutdown hangs when a worker dies holding its
    queue's lock), so a worker killed at any moment costs the parent nothing but an error.

    A ``fresh`` pool gives each chunk of items a new worker (forked again from the parent, a few
    milliseconds): for a few large tasks, such as checking the tables of a package, where the
    memory one task's allocations leave behind in a worker would otherwise add to the next's.

    The workers of a pool made with ``starts_pools`` may make pools of their own (multiprocessing
    refuses that to a daemonic process); :meth:`close` stops them the same way.
    """

    def __init__(self, jobs: int, fn: Callable[[Any], Any], init: Callable[..., None],
                 initargs: tuple[Any, ...], doing: str = "extracting articles; run the build again",
                 fresh: bool = False, starts_pools: bool = False) -> None:
        self.doing, self.fresh, self._daemon = doing, fresh, not starts_pools
        return_free_memory()
        self._ctx = mp.get_context("fork" if hasattr(os, "fork") else "spawn")
        self._start_args = (fn, init, initargs)
        self._workers: list[tuple[BaseProcess, Connection]] = []
        try:
            for _ in range(jobs):
                self._start()
        except BaseException:  # a signal held meanwhile is raised here: stop the workers started so far
            self.close()
            raise

    def _start(self) -> tuple[BaseProcess, Connection]:
        """One more worker, started with SIGINT and SIGTERM held until worker_setup has set them
        (a signal held meanwhile is raised once it is among the workers :meth:`close` stops)."""
        with held_signals():
            ours, theirs = self._ctx.Pipe()
            proc = self._ctx.Process(target=_serve, args=(theirs, *self._start_args), daemon=self._daemon)
            try:
                proc.start()
            finally:
                theirs.close()
            self._workers.append((proc, ours))
        return proc, ours

    def _replace(self, proc: BaseProcess, conn: Connection) -> tuple[BaseProcess, Connection]:
        """A new worker in place of one that has answered (``fresh`` pools): what a task leaves
        behind in a worker (memory freed but kept by its allocators) is not carried into the next."""
        self._workers.remove((proc, conn))
        self._stop(proc, conn)
        return self._start()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def imap(self, items: Iterable[Any], chunksize: int) -> Iterator[Any]:
        """``fn(item)`` for each item, in order, as soon as each is ready and all before it are
        (``items`` are taken as the workers need them).

        Each worker of a pool that is not ``fresh`` holds a second chunk while it works on one, so
        that it starts on it at once instead of waiting for this process to read its answer (the
        two workers of a 20,000-article build waited 2.8 s each)."""
        pending = iter(items)
        chunks = enumerate(iter(lambda: list(itertools.islice(pending, chunksize)), []))
        ahead = 1 if self.fresh else 2
        busy: dict[Connection, tuple[BaseProcess, int]] = {}  # each worker's chunks not yet answered
        for proc, conn in self._workers:
            for _ in range(ahead):
                self._feed(proc, conn, next(chunks, None), busy)
        done: dict[int, list[Any]] = {}
        wanted = 0
        while busy or done:
            while wanted in done:
                yield from done.pop(wanted)
                wanted += 1
            if busy:
                for conn in wait(list(busy)):
                    assert isinstance(conn, Connection)
                    proc, held = busy.pop(conn)
                    index, results = self._receive(conn, proc, self.doing)
                    done[index] = results
                    if held > 1:
                        busy[conn] = (proc, held - 1)
                    task = next(chunks, None)
                    if self.fresh and task is not None:
                        proc, conn = self._replace(proc, conn)
                    self._feed(proc, conn, task, busy)

    @staticmethod
    def _feed(proc: BaseProcess, conn: Connection, task: tuple[int, list[Any]] | None,
              busy: dict[Connection, tuple[BaseProcess, int]]) -> None:
        if task is not None:
            conn.send(task)
            busy[conn] = (proc, busy[conn][1] + 1 if conn in busy else 1)

    @staticmethod
    def _receive(conn: Connection, proc: BaseProcess, doing: str) -> tuple[int, list[Any]]:
        try:
            index, results, error = conn.recv()
        except (EOFError, OSError):
            proc.join(1)
            code = proc.exitcode
            how = f"was killed by signal {-code}" if code is not None and code < 0 else f"exited ({code})"
            raise UserError(f"a worker process {how} while {doing} (with "
                            "--jobs 1 if it happens again, e.g. when memory is short)") from None
        if error is not None:
            raise error
        return index, results

    @staticmethod
    def _stop(proc: BaseProcess, conn: Connection) -> None:
        if proc.is_alive():
            proc.kill()
        proc.join()
        conn.close()

    def close(self) -> None:
        """Stop the workers (at once: they hold nothing that needs saving) and wait for them."""
        for proc, _ in self._workers:
            if proc.is_alive():
                proc.kill()
        for proc, conn in self._workers:
            self._stop(proc, conn)
        self._workers = []
