"""china-bigtech-events: actors, events and money amounts in news about China's tech platforms.

Load the published tables with :func:`load` / :func:`load_package`, download a
release with :func:`fetch`.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("china-bigtech-events")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0"

__all__ = ["__version__"]
