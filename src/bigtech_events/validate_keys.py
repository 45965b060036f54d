"""Checks across rows and tables, read from the Parquet files column by column.

- every foreign key resolves: an anti-join of the referring column(s) against the referred ones
  (Arrow's hash join; memory: those key columns, never whole tables);
- every span reproduces its recorded words in the seed text: the span columns are read a batch
  of rows at a time, with the texts of that batch's articles only;
- every participant's span is its mention's: a join of the two tables' span columns.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from .validate_tables import BATCH_ROWS, MAX_PER_CHECK, rule_note

#: Columns holding the recorded words of a span, per table.
SPAN_TEXT = {"mentions": "text", "affiliations": "evidence", "events": "evidence", "event_mentions": "evidence",
             "amounts": "text"}


def _names(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def _numbered(table: pa.Table) -> pa.Table:
    return table.append_column("__row", pa.array(range(table.num_rows), pa.int64()))


def _has_rules(schema: dict[str, Any]) -> bool:
    return any(f["name"] == "rule_id" for f in schema["fields"])


def _rules_at(path: Path, schema: dict[str, Any], rows: list[int]) -> dict[int, Any]:
    """``rule_id`` of the given rows (that one column read), by row number."""
    if not rows or not _has_rules(schema):
        return {}
    column = pq.read_table(path, columns=["rule_id"]).column(0)
    values = column.take(pa.array(rows, pa.int64())).to_pylist()
    return {i: "<NA>" if v is None else v for i, v in zip(rows, values, strict=True)}


def check_foreign_keys(paths: dict[str, Path], schemas: dict[str, dict[str, Any]]) -> list[str]:
    """Every foreign key of the tables in ``paths`` (their Parquet files, read in full) resolves."""
    problems: list[str] = []
    for table, schema in schemas.items():
        if table not in paths:
            continue
        for fk in schema.get("foreignKeys", []):
            ref_table = fk["reference"].get("resource") or table
            if ref_table in paths:
                problems += _missing_references(table, paths, schemas, fk, ref_table)
    return problems


def _missing_references(table: str, paths: dict[str, Path], schemas: dict[str, dict[str, Any]],
                        fk: dict[str, Any], ref_table: str) -> list[str]:
    cols, ref_cols = _names(fk["fields"]), _names(fk["reference"]["fields"])
    child = _numbered(pq.read_table(paths[table], columns=cols))
    present = pc.and_(*[pc.is_valid(child[c]) for c in cols]) if len(cols) > 1 else pc.is_valid(child[cols[0]])
    child = child.filter(present)
    known = pq.read_table(paths[ref_table], columns=ref_cols).group_by(ref_cols).aggregate([])
    missing = child.join(known, keys=cols, right_keys=ref_cols, join_type="left anti")
    if missing.num_rows == 0:
        return []
    missing = missing.sort_by("__row").slice(0, MAX_PER_CHECK)
    rows = missing["__row"].to_pylist()
    rules = _rules_at(paths[table], schemas[table], rows)
    keys = zip(*(missing[c].to_pylist() for c in cols), strict=True)
    return [f"{table}:row {i + 1}:column {','.join(cols)}: {(key if len(key) > 1 else key[0])!r} "
            f"is not a {ref_table}.{','.join(ref_cols)}{rule_note(rules.get(i))}; fix the reference"
            for i, key in zip(rows, keys, strict=True)]


# ---------------------------------------------------------------- spans

#: Seed texts kept between span tables (each table reads the articles in the same order), up to
#: this many bytes; beyond it the oldest are read again when needed.
TEXT_CACHE_BYTES = 64 << 20


class Texts:
    """Seed texts by article id, read when first asked for, the oldest dropped past ``limit`` bytes."""

    def __init__(self, seeds_dir: Path, good: set[str], limit: int = TEXT_CACHE_BYTES) -> None:
        self.seeds_dir, self.good, self.limit = seeds_dir, good, limit
        self._texts: dict[str, str] = {}
        self._bytes = 0

    def get(self, article_id: str) -> str | None:
        text = self._texts.get(article_id)
        if text is None and article_id in self.good:
            text = self.keep(article_id, (self.seeds_dir / f"{article_id}.txt").read_bytes())
        return text

    def keep(self, article_id: str, data: bytes) -> str:
        text = self._texts[article_id] = data.decode("utf-8")
        self._bytes += len(text)
        while self._bytes > self.limit and len(self._texts) > 1:
            self._bytes -= len(self._texts.pop(next(iter(self._texts))))
        return text


def _batches(path: Path, columns: list[str]) -> Iterator[dict[str, list[Any]]]:
    for batch in pq.ParquetFile(path).iter_batches(batch_size=BATCH_ROWS, columns=columns):
        yield {c: batch.column(c).to_pylist() for c in columns}


def _seed_texts(path: Path, seeds_dir: Path) -> tuple[Texts, list[str]]:
    """The seed texts at hand and unchanged since the build; a problem for each other article."""
    texts = Texts(seeds_dir, set())
    problems: list[str] = []
    for batch in _batches(path, ["article_id", "text_sha256"]):
        for article_id, sha in zip(batch["article_id"], batch["text_sha256"], strict=True):
            seed = seeds_dir / f"{article_id}.txt"
            if not seed.exists():
                problems.append(f"articles:article {article_id}: seed text {seed} is missing; spans cannot be checked")
                continue
            data = seed.read_bytes()
            if hashlib.sha256(data).hexdigest() != sha:
                problems.append(f"articles:article {article_id}:column text_sha256: the seed text has changed since "
                                "the build; rebuild the package")
            else:
                texts.good.add(article_id)
                texts.keep(article_id, data)
    return texts, problems


def check_spans(paths: dict[str, Path], schemas: dict[str, dict[str, Any]], seeds_dir: Path) -> list[str]:
    """Every span of the tables in ``paths`` reproduces its recorded words in the seed text."""
    if "articles" not in paths:
        return []
    texts, problems = _seed_texts(paths["articles"], seeds_dir)
    checks = [(t, c, "char_start", "char_end") for t, c in SPAN_TEXT.items()]
    checks.append(("events", "trigger", "trigger_start", "trigger_end"))
    for table, col, start, end in checks:
        if table in paths:
            problems += _span_problems(table, paths[table], schemas[table], (col, start, end), texts)
    if "event_participants" in paths and "mentions" in paths:
        problems += _participant_spans(paths["event_participants"], paths["mentions"])
    return problems


def _span_problems(table: str, path: Path, schema: dict[str, Any], span: tuple[str, str, str],
                   texts: Texts) -> list[str]:
    col, start, end = span
    rules = ["rule_id"] if _has_rules(schema) else []
    problems: list[str] = []
    offset = 0
    for batch in _batches(path, ["article_id", start, end, col, *rules]):
        rule_ids = batch["rule_id"] if rules else [None] * len(batch[col])
        for i, (article, lo, hi, words, rule) in enumerate(zip(batch["article_id"], batch[start], batch[end],
                                                               batch[col], rule_ids, strict=True)):
            text = texts.get(article)
            if text is None or lo is None or hi is None or words is None:
                continue  # no text to compare with, or a missing value (the schema check reports it)
            got = text[lo:hi]
            if got != words:
                note = rule_note("<NA>" if rule is None and rules else rule)
                problems.append(f"{table}:row {offset + i + 1}:column {col}: text[{lo}:{hi}] is {got!r}, "
                                f"not the recorded {words!r}{note}; fix the offsets or the rule")
        offset += len(batch[col])
    return problems


def _participant_spans(parts_path: Path, mentions_path: Path) -> list[str]:
    """Each participant that names its mention has that mention's span."""
    span = ["mention_id", "char_start", "char_end"]
    parts = _numbered(pq.read_table(parts_path, columns=span))
    parts = parts.filter(pc.is_valid(parts["mention_id"]))
    mentions = pq.read_table(mentions_path, columns=span).rename_columns(["mention_id", "m_start", "m_end"])
    joined = parts.join(mentions, keys="mention_id", join_type="left outer")
    same = pc.and_(pc.equal(joined["char_start"], joined["m_start"]), pc.equal(joined["char_end"], joined["m_end"]))
    bad = joined.filter(pc.invert(pc.fill_null(same, False))).sort_by("__row")
    seen: set[int] = set()
    problems = []
    for row, mention in zip(bad["__row"].to_pylist(), bad["mention_id"].to_pylist(), strict=True):
        if row not in seen:
            seen.add(row)
            problems.append(f"event_participants:row {row + 1}:column char_start: span differs from its mention "
                            f"{mention}; fix the participant rule")
    return problems
