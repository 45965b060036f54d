"""The ``articles`` row of one article."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..dates import edtf_bounds
from ..seeds import Article


def article_row(article: Article, body_start: int, body_end: int) -> dict[str, Any]:
    meta = article.meta
    lo, hi = edtf_bounds(meta["published"])
    retrieved = meta.get("retrieved")
    return {
        "article_id": article.article_id,
        "title": meta["title"],
        "publisher": meta["publisher"],
        "original_publisher": meta.get("original_publisher"),
        "url": meta.get("url"),
        "published": meta["published"],
        "published_start": lo,
        "published_end": hi,
        "retrieved": dt.date.fromisoformat(retrieved) if retrieved else None,
        "language": meta["language"],
        "text_sha256": article.text_sha256,
        "char_count": len(article.text),
        "body_start": body_start,
        "body_end": body_end,
    }
