"""Span checks of a package: every recorded span reproduces its words in the article text.

The texts are not part of a package (releases carry none), so the checks run for the articles
whose text is found in a seeds folder, and say which articles they could not check.

The span columns of every table are read from the Parquet files a batch of rows at a time, all
tables in step, article by article (they are written sorted by article), so that each text is read
once and only one is held; a table found out of article order is checked again on its own, its
texts read as its rows ask for them. A participant's span is compared with its mention's by reading both
tables in step, article by article (both are written sorted by article, and a participant names
a mention of its own article), with a join of the two tables' span columns when they are not so.

A build copying most articles' rows from its last build's snapshot checks the spans of the other
articles only (``only``): their rows are chosen in Arrow, so the others are never read into Python.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from .tableio import parquet_stream
from .validate_keys import BATCH_ROWS, batches, has_rules, numbered
from .validate_tables import Hashes, parquet_rows, rule_note

#: Columns holding the recorded words of a span, per table.
SPAN_TEXT = {"mentions": "text", "affiliations": "evidence", "events": "evidence", "event_mentions": "evidence",
             "amounts": "text"}
#: Every span of a package as (table, column of its words, start column, end column).
SPANS = [*((t, c, "char_start", "char_end") for t, c in SPAN_TEXT.items()),
         ("events", "trigger", "trigger_start", "trigger_end")]
#: Rows per batch of a span table: the tables are read in step, a batch of each held as Python
#: values, the recorded words included.
SPAN_ROWS = 4_096
#: How many article ids the line about skipped span checks names.
SHOWN_ABSENT = 5
#: Seed texts kept, up to this many characters; beyond it the oldest are read again when needed
#: (the tables are read in step by article, so this only spares a table out of order some reads).
TEXT_CACHE_BYTES = 8 << 20


class Texts:
    """Seed texts by article id, read when first asked for, the oldest dropped past ``limit`` bytes."""

    def __init__(self, seeds_dir: Path | None, limit: int = TEXT_CACHE_BYTES) -> None:
        self.seeds_dir, self.limit = seeds_dir, limit
        self.good: set[str] = set()
        self._texts: dict[str, str] = {}
        self._bytes = 0

    def get(self, article_id: str) -> str | None:
        text = self._texts.get(article_id)
        if text is None and article_id in self.good and self.seeds_dir is not None:
            text = self.keep(article_id, (self.seeds_dir / f"{article_id}.txt").read_bytes())
        return text

    def keep(self, article_id: str, data: bytes) -> str:
        text = self._texts[article_id] = data.decode("utf-8")
        self._bytes += len(text)
        while self._bytes > self.limit and len(self._texts) > 1:
            self._bytes -= len(self._texts.pop(next(iter(self._texts))))
        return text


def seed_texts(path: Path, seeds_dir: Path | None,
               only: Collection[str] | None = None) -> tuple[Texts, list[str], list[str]]:
    """The texts of the articles (Parquet file ``path``; with ``only``, those of its articles)
    found in ``seeds_dir`` and unchanged since the build, the problems (a text that differs), and
    the ids of articles whose text is absent (all of them when there is no ``seeds_dir``)."""
    texts = Texts(seeds_dir)
    problems: list[str] = []
    absent: list[str] = []
    for _, batch in selected(path, ["article_id", "text_sha256"], only):
        for article_id, sha in zip(batch["article_id"], batch["text_sha256"], strict=True):
            seed = seeds_dir / f"{article_id}.txt" if seeds_dir is not None else None
            if seed is None or not seed.is_file():
                absent.append(str(article_id))
                continue
            data = seed.read_bytes()
            if hashlib.sha256(data).hexdigest() != sha:
                problems.append(f"articles:article {article_id}:column text_sha256: the seed text {seed} is "
                                "not the one the package was built from; rebuild the package or point --seeds "
                                "at the texts it was built from")
                continue
            texts.good.add(article_id)
            texts.keep(article_id, data)
    return texts, problems, absent


def check_spans(paths: dict[str, Path], schemas: dict[str, dict[str, Any]],
                seeds_dir: Path | None, only: Collection[str] | None = None) -> tuple[list[str], list[str]]:
    """Every span of the tables in ``paths`` (their Parquet files) reproduces its recorded words in
    the seed text: the problems, and the ids of the articles whose spans could not be checked
    because their text is absent.

    With ``only``, the spans of those articles alone (the rows of the others are not read into
    Python): a build whose other articles' rows are copied from its last validated build's.
    """
    if "articles" not in paths:
        return [], []
    texts, problems, absent = seed_texts(paths["articles"], seeds_dir, only)
    if texts.good:
        problems += _spans_in_step([(t, paths[t], schemas[t], (c, lo, hi)) for t, c, lo, hi in SPANS if t in paths],
                                   texts, only)
    if "event_participants" in paths and "mentions" in paths:
        problems += _participant_spans(paths["event_participants"], paths["mentions"], only)
    return problems, absent


def selected(path: Path, columns: list[str], only: Collection[str] | None,
             rows: int = 0) -> Iterator[tuple[Sequence[int], dict[str, list[Any]]]]:
    """The given columns of a Parquet file a batch at a time, as lists by column, with the number
    of each row in the file; with ``only``, only the rows whose ``article_id`` is one of them
    (chosen in Arrow: the others never become Python values)."""
    if only is None:
        offset = 0
        for batch in batches(path, columns, rows):
            n = len(batch[columns[0]])
            yield range(offset, offset + n), batch
            offset += n
        return
    for numbers, batch in _picked(path, columns, only, rows):
        yield numbers.tolist(), {c: batch.column(c).to_pylist() for c in columns}


def _picked(path: Path, columns: list[str], only: Collection[str],
            rows: int = 0) -> Iterator[tuple[np.ndarray, pa.RecordBatch]]:
    """The rows of a Parquet file whose ``article_id`` is one of ``only``, a batch at a time: their
    numbers in the file and their ``columns``."""
    wanted = pa.array(sorted(only), pa.string())
    offset = 0
    read = list(dict.fromkeys(["article_id", *columns]))
    for batch in parquet_stream(path).iter_batches(batch_size=rows or BATCH_ROWS, columns=read):
        mask = pc.fill_null(pc.is_in(batch.column("article_id"), value_set=wanted), False)
        numbers = np.flatnonzero(mask.to_numpy(zero_copy_only=False))
        if len(numbers):
            yield numbers + offset, batch.take(pa.array(numbers)).select(columns)
        offset += batch.num_rows


SpanTable = tuple[str, Path, dict[str, Any], tuple[str, str, str]]
#: A span to compare: (article, row, start, end, recorded words, rule).
SpanRow = tuple[str, int, int, int, str, Any]


def _span_rows(path: Path, schema: dict[str, Any], span: tuple[str, str, str],
               only: Collection[str] | None = None) -> Iterator[SpanRow]:
    """The spans of a table that can be compared (an article and every value given; a missing value
    is the schema check's to report), in file order; with ``only``, those of these articles."""
    col, start, end = span
    rules = ["rule_id"] if has_rules(schema) else []
    for numbers, batch in selected(path, ["article_id", start, end, col, *rules], only, SPAN_ROWS):
        rule_ids = batch["rule_id"] if rules else [None] * len(batch[col])
        for i, article, lo, hi, words, rule in zip(numbers, batch["article_id"], batch[start], batch[end],
                                                   batch[col], rule_ids, strict=True):
            if article is not None and lo is not None and hi is not None and words is not None:
                yield article, i, lo, hi, words, "<NA>" if rule is None and rules else rule


def _span_problem(table: str, col: str, text: str, span: SpanRow) -> str | None:
    _, row, lo, hi, words, rule = span
    got = text[lo:hi]
    if got == words:
        return None
    return (f"{table}:row {row + 1}:column {col}: text[{lo}:{hi}] is {got!r}, "
            f"not the recorded {words!r}{rule_note(rule)}; fix the offsets or the rule")


def _spans_in_step(tables: list[SpanTable], texts: Texts, only: Collection[str] | None = None) -> list[str]:
    """The span problems of ``tables`` (with ``only``, of those articles), all read in step article
    by article (each text read once); a table found out of article order is checked again on its
    own (:func:`_span_problems`)."""
    rows = [_span_rows(path, schema, span, only) for _, path, schema, span in tables]
    heads = [next(r, None) for r in rows]
    found: list[list[str]] = [[] for _ in tables]
    unsorted: set[int] = set()
    while any(head is not None for head in heads):
        article = min(head[0] for head in heads if head is not None)
        text = texts.get(article)
        for k, (table, _, _, (col, _, _)) in enumerate(tables):
            while (head := heads[k]) is not None and head[0] == article:
                if text is not None and (line := _span_problem(table, col, text, head)) is not None:
                    found[k].append(line)
                heads[k] = next(rows[k], None)
            if (head := heads[k]) is not None and head[0] < article:
                unsorted.add(k)
                heads[k] = None
    for k in unsorted:
        table, path, schema, span = tables[k]
        found[k] = _span_problems(table, path, schema, span, texts, only)
    return [line for lines in found for line in lines]


def _span_problems(table: str, path: Path, schema: dict[str, Any], span: tuple[str, str, str],
                   texts: Texts, only: Collection[str] | None = None) -> list[str]:
    """The span problems of one table, its texts read as its rows ask for them."""
    problems: list[str] = []
    for row in _span_rows(path, schema, span, only):
        text = texts.get(row[0])
        if text is not None and (line := _span_problem(table, span[0], text, row)) is not None:
            problems.append(line)
    return problems


def _participant_spans(parts_path: Path, mentions_path: Path, only: Collection[str] | None = None) -> list[str]:
    """Each participant (with ``only``, of those articles) that names its mention has that
    mention's span."""
    if only is not None:
        bad = _participant_spans_joined(parts_path, mentions_path, only)
    elif (bad := _participant_spans_in_step(parts_path, mentions_path)) is None:
        bad = _participant_spans_joined(parts_path, mentions_path)
    return [f"event_participants:row {row + 1}:column char_start: span differs from its mention "
            f"{mention}; fix the participant rule" for row, mention in bad]


class _Unsorted(Exception):
    """A table's rows are not in article order."""


def _by_article(path: Path, columns: list[str]) -> Iterator[tuple[Any, ...]]:
    """The rows of ``columns`` (the first being ``article_id``), raising :class:`_Unsorted` at the
    first row out of article order (or without an article)."""
    last = ""
    for batch in batches(path, columns):
        for row in zip(*(batch[c] for c in columns), strict=True):
            if row[0] is None or row[0] < last:
                raise _Unsorted
            last = row[0]
            yield row


def _differs(lo: Any, hi: Any, spans: list[tuple[Any, Any]] | None) -> bool:
    """Whether a span is not that of every mention of its id (the join's verdict: a missing mention
    or value never matches)."""
    return not spans or any(None in (lo, hi, m_lo, m_hi) or (lo, hi) != (m_lo, m_hi) for m_lo, m_hi in spans)


def _participant_spans_in_step(parts_path: Path, mentions_path: Path) -> list[tuple[int, str]] | None:
    """The (row, mention) of each participant whose span differs from its mention's, both tables
    read in step by article (memory: one article's mentions); ``None`` when a table is not in
    article order or a mention id repeats (then only a join says it as before).

    A participant naming a mention of another article is looked up in a second reading of the
    mentions, for those ids only."""
    span = ["article_id", "mention_id", "char_start", "char_end"]
    hashes = Hashes(parquet_rows(mentions_path))

    def mentions() -> Iterator[tuple[Any, ...]]:
        ids: list[Any] = []
        for row in _by_article(mentions_path, span):
            ids.append(row[1])
            if len(ids) == 1 << 16:
                hashes.append(np.fromiter(map(hash, ids), np.int64, len(ids)))
                ids = []
            yield row
        hashes.append(np.fromiter(map(hash, ids), np.int64, len(ids)))

    bad: list[tuple[int, str]] = []
    elsewhere: dict[int, tuple[str, Any, Any]] = {}
    try:
        pending = mentions()
        ahead = next(pending, None)
        article, here = None, {}
        for row, (part_article, mention, lo, hi) in enumerate(_by_article(parts_path, span)):
            if part_article != article:
                article, here = part_article, {}
                while ahead is not None and ahead[0] <= article:
                    if ahead[0] == article and ahead[1] is not None:
                        here.setdefault(ahead[1], []).append((ahead[2], ahead[3]))
                    ahead = next(pending, None)
            if mention is None:
                continue
            if mention not in here:
                elsewhere[row] = (mention, lo, hi)
            elif _differs(lo, hi, here[mention]):
                bad.append((row, mention))
        for _ in pending:
            pass
    except _Unsorted:
        return None
    if len(hashes.repeated()):
        return None
    if elsewhere:
        wanted = {mention for mention, _, _ in elsewhere.values()}
        spans: dict[str, list[tuple[Any, Any]]] = {}
        for batch in batches(mentions_path, span[1:]):
            for mention, lo, hi in zip(batch["mention_id"], batch["char_start"], batch["char_end"], strict=True):
                if mention in wanted:
                    spans.setdefault(mention, []).append((lo, hi))
        bad += [(row, mention) for row, (mention, lo, hi) in elsewhere.items() if _differs(lo, hi, spans.get(mention))]
        bad.sort()
    return bad


def _participant_spans_joined(parts_path: Path, mentions_path: Path,
                              only: Collection[str] | None = None) -> list[tuple[int, str]]:
    """What :func:`_participant_spans_in_step` finds, by a join of the two tables' span columns
    (memory: those columns of both tables). With ``only``, for the participants of those articles,
    joined with the mentions they name (memory: those rows)."""
    span = ["mention_id", "char_start", "char_end"]
    if only is None:
        parts = numbered(pq.read_table(parts_path, columns=span))
        mentions = pq.read_table(mentions_path, columns=span)
    else:
        parts = _chosen(parts_path, span, only)
        named = pa.array(sorted({m for m in parts["mention_id"].to_pylist() if m is not None}), pa.string())
        mentions = pq.read_table(mentions_path, columns=span, filters=pc.field("mention_id").isin(named))
    parts = parts.filter(pc.is_valid(parts["mention_id"]))
    mentions = mentions.rename_columns(["mention_id", "m_start", "m_end"])
    joined = parts.join(mentions, keys="mention_id", join_type="left outer")
    same = pc.and_(pc.equal(joined["char_start"], joined["m_start"]), pc.equal(joined["char_end"], joined["m_end"]))
    bad = joined.filter(pc.invert(pc.fill_null(same, False))).sort_by("__row")
    seen: set[int] = set()
    found = []
    for row, mention in zip(bad["__row"].to_pylist(), bad["mention_id"].to_pylist(), strict=True):
        if row not in seen:
            seen.add(row)
            found.append((row, mention))
    return found


def _chosen(path: Path, columns: list[str], only: Collection[str]) -> pa.Table:
    """The rows of ``only``'s articles in a Parquet file, as one table with their numbers in ``__row``."""
    picked = list(_picked(path, columns, only))
    schema = pq.ParquetFile(path).schema_arrow
    table = pa.Table.from_batches([b for _, b in picked], pa.schema([schema.field(c) for c in columns]))
    numbers = np.concatenate([n for n, _ in picked]) if picked else np.zeros(0, np.int64)
    return table.append_column("__row", pa.array(numbers, pa.int64()))


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
