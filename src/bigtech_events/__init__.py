"""china-bigtech-events: actors, events and money amounts in news about China's tech platforms.

Load the published tables with :func:`load` / :func:`load_package`, download a
release with :func:`fetch`::

    import bigtech_events
    events = bigtech_events.load("events")                     # the project's package
    events = bigtech_events.load("events", version="0.1.0")    # a release, fetched and verified
    tables = bigtech_events.load_package("china-bigtech-events-0.1.0.zip")

``load`` and ``load_package`` are imported on first use, so the command line
starts without pandas. ``fetch`` is imported here: the function must shadow
its module, ``bigtech_events.fetch`` (reach the module itself with
``importlib.import_module("bigtech_events.fetch")``).
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import Any

try:
    __version__ = version("china-bigtech-events")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0"

from .fetch import fetch

_LAZY = {"load": "loader", "load_package": "loader"}

__all__ = ["__version__", "fetch", "load", "load_package"]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from importlib import import_module

        return getattr(import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
