"""Deterministic identifiers: functions of content only.

Row ids hash the article id and the span (plus what distinguishes rows on
the same span), so rebuilding gives the same ids and adding an unrelated
article changes none of them.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata


def content_id(prefix: str, *parts: object) -> str:
    """``prefix-`` followed by 16 hex digits of the SHA-256 of the parts.

    >>> content_id("ev", "a-1", 10, "meeting")
    'ev-...'  # doctest: +SKIP
    """
    key = "\x1f".join(str(p) for p in parts)
    return f"{prefix}-{hashlib.sha256(key.encode('utf-8')).hexdigest()[:16]}"


def slugify(name: str) -> str:
    """Lower-case ASCII slug of a name: ``People’s Bank of China`` -> ``peoples-bank-of-china``."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"['’`]", "", text.lower())
    text = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    return text or "actor"
