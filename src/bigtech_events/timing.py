"""Time per stage of a build, when ``BIGTECH_EVENTS_TIMING=1`` is set (benchmarks/compare.py sets it).

Off (the default) nothing is measured: :func:`timed` returns the function it is given, and
:func:`stage` a shared context that does nothing. On, each labelled piece of work adds its
*exclusive* seconds to its label (a label inside another pauses the outer one), per process.
A worker hands its seconds to the parent with each article (:func:`take`), the parent adds
them to its own (:func:`merge`), so :func:`totals` is the sum over all processes.

Labels: ``ingest`` (reading an article, finding its body and sentences), ``matching`` (names,
titles, relations, references), ``events``, ``dates``, ``amounts``, ``rows``, ``writing``,
``validation``.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Iterator
from functools import wraps
from typing import Any, TypeVar

ENV = "BIGTECH_EVENTS_TIMING"
ON = os.environ.get(ENV, "") not in ("", "0")

_totals: dict[str, float] = {}
_stack: list[str] = []
_mark = [0.0]

F = TypeVar("F", bound=Callable[..., Any])


def enter(label: str) -> None:
    now = time.perf_counter()
    if _stack:
        _totals[_stack[-1]] = _totals.get(_stack[-1], 0.0) + now - _mark[0]
    _stack.append(label)
    _mark[0] = now


def leave() -> None:
    now = time.perf_counter()
    label = _stack.pop()
    _totals[label] = _totals.get(label, 0.0) + now - _mark[0]
    _mark[0] = now


@contextlib.contextmanager
def _measured(label: str) -> Iterator[None]:
    enter(label)
    try:
        yield
    finally:
        leave()


_OFF = contextlib.nullcontext()


def stage(label: str) -> contextlib.AbstractContextManager[None]:
    """A ``with`` block whose time counts for ``label`` (nothing is measured when off)."""
    return _measured(label) if ON else _OFF


def timed(label: str) -> Callable[[F], F]:
    """Decorator: calls of the function count for ``label``; off, the function itself."""

    def decorate(fn: F) -> F:
        if not ON:
            return fn

        @wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            enter(label)
            try:
                return fn(*args, **kwargs)
            finally:
                leave()

        return wrapper  # type: ignore[return-value]

    return decorate


def take() -> dict[str, float]:
    """The seconds counted so far in this process, which start again from nothing."""
    if not ON:
        return {}
    if _stack:  # count the open label up to now
        now = time.perf_counter()
        _totals[_stack[-1]] = _totals.get(_stack[-1], 0.0) + now - _mark[0]
        _mark[0] = now
    out = dict(_totals)
    _totals.clear()
    return out


def merge(seconds: dict[str, float]) -> None:
    """Add seconds counted in another process (a worker's :func:`take`)."""
    for label, s in seconds.items():
        _totals[label] = _totals.get(label, 0.0) + s


def totals() -> dict[str, float]:
    """Seconds per label, summed over this process and what was merged into it."""
    return dict(_totals)


def peak_memory_mb() -> tuple[float, float]:
    """Peak resident memory of this process and of the largest of its finished children, in MB."""
    import resource
    import sys

    div = 1024 * 1024 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes on macOS, KiB on Linux
    return (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / div,
            resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / div)

def report_line() -> str:
    """One line for the end of a timed build: ``timing {json}`` with seconds per label and peaks."""
    import json

    parent, workers = peak_memory_mb()
    return "timing " + json.dumps({"seconds": {k: round(v, 3) for k, v in sorted(totals().items())},
                                   "peak_parent_mb": round(parent, 1), "peak_workers_mb": round(workers, 1)})
