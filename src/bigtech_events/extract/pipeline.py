"""One article in, its rows out: ingest -> actors -> affiliations -> events -> amounts."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..seeds import Article
from .ingest import find_body
from .rules import RuleSet, load_rules

PER_ARTICLE_TABLES = ("mentions", "events", "event_participants", "affiliations", "amounts")


@dataclass
class ArticleResult:
    article_row: dict[str, Any]
    rows: dict[str, list[dict[str, Any]]]
    actors: dict[str, dict[str, Any]] = field(default_factory=dict)
    aliases: set[tuple[str, str]] = field(default_factory=set)
    trace: list[dict[str, Any]] = field(default_factory=list)


class Extractor:
    """Holds the compiled rules; ``extract`` is a pure function of an article."""

    def __init__(self, rules: RuleSet) -> None:
        self.rules = rules

    @classmethod
    def from_dir(cls, rules_dir: Path) -> Extractor:
        return cls(load_rules(rules_dir))

    def extract(self, article: Article) -> ArticleResult:
        body = find_body(article.text, self.rules.boilerplate)
        row = article_row(article, body.start, body.end)
        rows: dict[str, list[dict[str, Any]]] = {t: [] for t in PER_ARTICLE_TABLES}
        return ArticleResult(article_row=row, rows=rows)


def article_row(article: Article, body_start: int, body_end: int) -> dict[str, Any]:
    from ..dates import edtf_bounds

    meta = article.meta
    lo, hi = edtf_bounds(meta["published"])
    return {
        "article_id": article.article_id,
        "title": meta["title"],
        "publisher": meta["publisher"],
        "original_publisher": meta.get("original_publisher"),
        "url": meta.get("url"),
        "published": meta["published"],
        "published_start": lo,
        "published_end": hi,
        "retrieved": _date_or_none(meta.get("retrieved")),
        "language": meta["language"],
        "text_sha256": article.text_sha256,
        "char_count": len(article.text),
        "body_start": body_start,
        "body_end": body_end,
    }


def _date_or_none(value: str | None) -> Any:
    import datetime as dt

    return dt.date.fromisoformat(value) if value else None
