"""Rule-based extraction: article text -> rows of every table, each with its span and rule."""

from .pipeline import ArticleResult, Extractor

__all__ = ["ArticleResult", "Extractor"]
