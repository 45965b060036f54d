"""Commands for releases, diffs and citation (registered on the main command group)."""

from __future__ import annotations

import click


def register(cli: click.Group) -> None:
    """Add the release commands to ``cli``."""
