"""Progress bars for long commands, shown only to a person watching a terminal.

A bar is drawn on standard error when it is a terminal and the ``CI``
environment variable is unset (or ``0``/``false``); otherwise every call here
does nothing, so piped output and CI logs stay as they were. Nested tasks (a
build that validates) share one display, one line per task.

Examples::

    from bigtech_events.progress import task, track

    for path in track(paths, "extracting"):
        ...
    with task("validating", total=len(tables)) as bar:
        for table in tables:
            bar.advance(table)
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator, Sized
from contextlib import contextmanager
from typing import IO, Any, TypeVar

T = TypeVar("T")
_QUIET_CI = {"", "0", "false", "no"}
_live: Any = None  # the shared rich Progress while a task is open, else None


def enabled(stream: IO[str] | None = None) -> bool:
    """Whether bars are drawn: ``stream`` (default stderr) is a terminal and this is not CI."""
    stream = stream if stream is not None else sys.stderr
    if os.environ.get("CI", "").strip().lower() not in _QUIET_CI:
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


class Bar:
    """One task's line: ``advance`` moves it, with an optional note of the current item."""

    def __init__(self, progress: Any = None, task_id: Any = None, description: str = "") -> None:
        self._progress = progress
        self._task_id = task_id
        self._description = description

    def advance(self, note: str | None = None, steps: int = 1) -> None:
        if self._progress is None:
            return
        text = f"{self._description} {note}" if note else self._description
        self._progress.update(self._task_id, advance=steps, description=text)
        self._progress.refresh()


@contextmanager
def task(description: str, total: int | None = None) -> Iterator[Bar]:
    """A bar of ``total`` steps (unknown: a pulsing bar) for the ``with`` block; a no-op when quiet."""
    global _live
    if _live is None and not enabled():
        yield Bar()
        return
    owner = _live is None
    if owner:
        _live = _new_progress()
        _live.start()
    progress = _live
    task_id = progress.add_task(description, total=total)
    progress.refresh()
    try:
        yield Bar(progress, task_id, description)
    finally:
        progress.remove_task(task_id)
        if owner:
            progress.stop()
            _live = None


def track(items: Iterable[T], description: str, total: int | None = None) -> Iterator[T]:
    """Yield ``items``, advancing a bar per item (``total`` defaults to ``len(items)`` when known)."""
    if total is None and isinstance(items, Sized):
        total = len(items)
    iterator = iter(items)
    try:
        with task(description, total) as bar:
            for item in iterator:
                yield item
                bar.advance()
    finally:
        close = getattr(iterator, "close", None)
        if close is not None:
            close()  # a generator stopped early (an error, Ctrl-C) cleans up now, not when collected


def _new_progress() -> Any:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), console=Console(stderr=True), transient=True,
                    auto_refresh=False)  # redrawn on each step: no thread, so forked workers inherit none
