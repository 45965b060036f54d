"""Rules files are parsed by :mod:`bigtech_events.safeyaml` (shared with seed metadata)."""

from ..safeyaml import Mapping, Sequence, parse

__all__ = ["Mapping", "Sequence", "parse"]
