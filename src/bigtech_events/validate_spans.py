"""Span checks of a package: every recorded span reproduces its words in the article text.

The texts are not part of a package (releases carry none), so the checks run for the articles
whose text is found in a seeds folder, and say which articles they could not check.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pandas as pd

#: Columns holding the recorded words of a span, per table.
SPAN_TEXT = {"mentions": "text", "affiliations": "evidence", "events": "evidence", "event_mentions": "evidence",
             "amounts": "text"}
#: How many article ids the line about skipped span checks names.
SHOWN_ABSENT = 5


def rule_of(df: pd.DataFrame, idx: Any) -> str:
    """" (rule <rule_id>)" of row ``idx`` of a table that has rule ids, else nothing."""
    if "rule_id" in df.columns and isinstance(idx, int) and 0 <= idx < len(df):
        return f" (rule {df['rule_id'].iloc[idx]})"
    return ""


def seed_texts(articles: pd.DataFrame, seeds_dir: Path | None) -> tuple[dict[str, str], list[str], list[str]]:
    """The texts of the package's articles found in ``seeds_dir`` (checked against
    ``text_sha256``), the problems (a text that differs), and the ids of articles whose text is
    absent (all of them when there is no ``seeds_dir``)."""
    texts: dict[str, str] = {}
    problems: list[str] = []
    absent: list[str] = []
    for row in articles.itertuples(index=False):
        path = seeds_dir / f"{row.article_id}.txt" if seeds_dir is not None else None
        if path is None or not path.is_file():
            absent.append(str(row.article_id))
            continue
        data = path.read_bytes()
        if hashlib.sha256(data).hexdigest() != row.text_sha256:
            problems.append(f"articles:article {row.article_id}:column text_sha256: the seed text {path} is "
                            "not the one the package was built from; rebuild the package or point --seeds "
                            "at the texts it was built from")
            continue
        texts[row.article_id] = data.decode("utf-8")
    return texts, problems, absent


def check_spans(frames: dict[str, pd.DataFrame], seeds_dir: Path | None) -> tuple[list[str], list[str]]:
    """Every span reproduces its recorded words in the seed text: the problems, and the ids of the
    articles whose spans could not be checked because their text is absent."""
    articles = frames.get("articles")
    if articles is None:
        return [], []
    texts, problems, absent = seed_texts(articles, seeds_dir)
    checks = [(t, c, "char_start", "char_end") for t, c in SPAN_TEXT.items()]
    checks.append(("events", "trigger", "trigger_start", "trigger_end"))
    for table, col, start, end in checks:
        df = frames.get(table)
        if df is None:
            continue
        for i, row in enumerate(df[["article_id", start, end, col]].itertuples(index=False)):
            text = texts.get(row[0])
            if text is None:
                continue
            got = text[int(row[1]):int(row[2])]
            if got != row[3]:
                problems.append(
                    f"{table}:row {i + 1}:column {col}: text[{row[1]}:{row[2]}] is {got!r}, "
                    f"not the recorded {row[3]!r}{rule_of(df, i)}; fix the offsets or the rule"
                )
    parts = frames.get("event_participants")
    mentions = frames.get("mentions")
    if parts is not None and mentions is not None:
        spans = {m.mention_id: (m.char_start, m.char_end) for m in mentions.itertuples(index=False)}
        for i, p in enumerate(parts.itertuples(index=False)):
            if pd.notna(p.mention_id) and spans.get(p.mention_id) != (p.char_start, p.char_end):
                problems.append(f"event_participants:row {i + 1}:column char_start: span differs from "
                                f"its mention {p.mention_id}; fix the participant rule")
    return problems, absent


def skipped_line(absent: list[str], articles: int) -> str | None:
    """One line saying which span checks were skipped and why; ``None`` when none were.

    >>> skipped_line(["a-1", "b-2"], 3)
    'span checks skipped for 2 of 3 article(s) (article texts absent: 2 articles: a-1, b-2); pass --seeds DIR holding their <article_id>.txt to check them'
    """
    n = len(absent)
    if not n:
        return None
    more = f", and {n - SHOWN_ABSENT} more" if n > SHOWN_ABSENT else ""
    return (f"span checks skipped for {n} of {articles} article(s) (article texts absent: {n} "
            f"article{'s' if n != 1 else ''}: {', '.join(absent[:SHOWN_ABSENT])}{more}); pass --seeds DIR "
            "holding their <article_id>.txt to check them")
