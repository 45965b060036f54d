"""Validation in a process forked before a build extracts (:class:`StandbyValidation`).

Kept apart from :mod:`.validate`, which it imports only when it validates: a build's own
process then never imports pandera and the checks built on it, and forks its workers sooner.
"""

from __future__ import annotations

import gc
import os
from pathlib import Path
from typing import Any, Self

from .workers import WorkerPool, worker_setup


def _standby_setup(parent: int) -> None:
    """The waiting process's start: a worker's, then the validation's imports (pandera, pandas),
    made here while the build extracts rather than by the build before it starts."""
    worker_setup(parent)
    from . import validate  # noqa: F401 - imported for later


def _validate_dir_task(item: tuple[Path, dict[str, Any]]) -> list[str]:
    from .validate import validate_dir

    root, options = item
    return validate_dir(root, **options)


class StandbyValidation:
    """:func:`.validate.validate_dir`, called later, in a process forked now: a build forks it
    before it extracts, so that the validation and the workers it forks start at the size of the
    imports.

    A build's process grows while it extracts and writes (92 MB after its imports and rules, a
    peak of 213-217 MB with 10,000 articles, 232 with 100,000: allocator pages it keeps, not rows
    it holds), and a worker forked from it starts with all of that. This process waits for its one call and
    touches nothing meanwhile; the objects it shares with the build are frozen (``gc.freeze``)
    until :meth:`close`, so that the build's garbage collection does not write to their pages and
    make the kernel copy them (it kept 44 MB of its own at 10,000 articles, 17 MB with them
    frozen). With one job, or where processes are not forked, :meth:`__call__` validates in the
    caller.
    """

    def __init__(self, jobs: int) -> None:
        self._pool: WorkerPool | None = None
        self._thaw = False  # whether close() unfreezes: not when the caller had frozen objects itself
        if jobs > 1 and hasattr(os, "fork"):
            gc.collect()
            self._thaw = gc.get_freeze_count() == 0
            gc.freeze()
            try:
                self._pool = WorkerPool(1, _validate_dir_task, _standby_setup, (os.getpid(),),
                                        doing="validating the package; run the build again",
                                        starts_pools=True)
            except BaseException:
                self._unfreeze()
                raise

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __call__(self, root: Path, **options: Any) -> list[str]:
        """``validate_dir(root, **options)``, in the process forked for it (once)."""
        if self._pool is None:
            from .validate import validate_dir

            return validate_dir(root, **options)
        try:
            (problems,) = self._pool.imap([(root, options)], chunksize=1)
        finally:
            self.close()
        return problems

    def close(self) -> None:
        """Stop the process (it is not called once a build has failed before validating)."""
        if self._pool is not None:
            self._pool.close()
            self._pool = None
            self._unfreeze()

    def _unfreeze(self) -> None:
        if self._thaw:
            gc.unfreeze()
            self._thaw = False
