"""A corpus: the articles of a seeds folder as JSON Lines or Parquet partitions, one record each.

A distributed build (:mod:`bigtech_events.distributed`) reads its articles from a corpus, not from
``seeds/``: a million small files are slow to list and to copy, and an object store has no
folders. Each record holds one article::

    {"article_id": "000_ca264a3c04ffcd24",
     "metadata": {"title": "...", "publisher": "...", "published": "2023-07-16", ...},
     "text": "..."}

``metadata`` is the seed's ``.yaml`` mapping as written (in Parquet, the same mapping as JSON
text) and passes the same checks as the seed file; ``text`` is the seed's text exactly as stored.
Partitions are ``part-00000.jsonl`` (or ``.parquet``), ``part-00001`` ..., and the records are in
seed order (the order of :func:`bigtech_events.seeds.seed_paths`) across them, so that the
partitions read one after the other give the articles in the order a local build reads them.

>>> seed_order("a-b") < seed_order("a")  # as the files a-b.txt and a.txt sort
True
"""

from __future__ import annotations

import hashlib
import json
import posixpath
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from .errors import UserError
from .seeds import Article, article_id_pattern, check_metadata, load_article, read_yaml, seed_paths

FORMATS = ("jsonl", "parquet")
FIELDS = ("article_id", "metadata", "text")
PARQUET_SCHEMA = pa.schema([("article_id", pa.string()), ("metadata", pa.string()), ("text", pa.string())])


def seed_order(article_id: str) -> str:
    """Sort key of an article: a local build reads ``<article_id>.txt`` files in name order."""
    return f"{article_id}.txt"


def partition_name(index: int, fmt: str) -> str:
    return f"part-{index:05d}.{fmt}"


# ---------------------------------------------------------------- writing (seeds -> corpus)


def seed_record(txt_path: Path) -> dict[str, Any]:
    """One seed (checked as a build checks it) as a corpus record."""
    article = load_article(txt_path)
    meta = json.loads(json.dumps(read_yaml(txt_path.with_suffix(".yaml"))))  # plain dicts and lists
    return {"article_id": article.article_id, "metadata": meta, "text": article.text}


def write_corpus(seeds_dir: Path, out_dir: Path, fmt: str = "jsonl", per_partition: int = 1000) -> tuple[int, int]:
    """Write the seeds as corpus partitions into ``out_dir`` (new or empty); (articles, partitions)."""
    if fmt not in FORMATS:
        raise UserError(f"corpus format {fmt!r} is not one of {', '.join(FORMATS)}; pass --format jsonl or parquet")
    if per_partition < 1:
        raise UserError(f"--per-partition is {per_partition}; give 1 or more articles per partition")
    if out_dir.exists() and (not out_dir.is_dir() or any(out_dir.iterdir())):
        raise UserError(f"{out_dir}: exists and is not an empty directory; pass a new --out directory")
    paths = seed_paths(seeds_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    chunks = [paths[i:i + per_partition] for i in range(0, len(paths), per_partition)]
    for index, chunk in enumerate(chunks):
        records = [seed_record(p) for p in chunk]
        target = out_dir / partition_name(index, fmt)
        tmp = target.with_name(f".{target.name}.tmp")
        if fmt == "jsonl":
            tmp.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
        else:
            rows = [{**r, "metadata": json.dumps(r["metadata"], ensure_ascii=False)} for r in records]
            pq.write_table(pa.Table.from_pylist(rows, schema=PARQUET_SCHEMA), tmp, compression="zstd")
        tmp.replace(target)
    return len(paths), len(chunks)


# ---------------------------------------------------------------- reading (corpus -> articles)


def list_partitions(corpus: str) -> list[str]:
    """The corpus's partition addresses in order: a folder or any fsspec URL (``s3://bucket/corpus``)."""
    import fsspec

    fs, root = fsspec.core.url_to_fs(corpus)
    if not fs.isdir(root):
        raise UserError(f"{corpus}: corpus directory does not exist; write one with `bigtech-events corpus`")
    names = sorted(posixpath.basename(p) for p in fs.ls(root, detail=False))
    parts = [n for n in names if n.startswith("part-") and n.rsplit(".", 1)[-1] in FORMATS]
    if not parts:
        raise UserError(f"{corpus}: no part-*.jsonl or part-*.parquet files; write them with `bigtech-events corpus`")
    if len({n.rsplit(".", 1)[-1] for n in parts}) > 1:
        raise UserError(f"{corpus}: holds both .jsonl and .parquet partitions; keep one format")
    return [f"{corpus.rstrip('/')}/{n}" for n in parts]


def read_partition(address: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """``(where, record)`` for each record of one partition; ``where`` is ``address:line`` or ``address:row N``."""
    import fsspec

    if address.endswith(".jsonl"):
        with fsspec.open(address, "rt", encoding="utf-8", newline="\n") as f:
            for line_no, line in enumerate(f, 1):
                if line.strip():
                    yield f"{address}:{line_no}", _json_record(line, f"{address}:{line_no}")
        return
    with fsspec.open(address, "rb") as f:
        table = pq.read_table(f)
    missing = [c for c in FIELDS if c not in table.column_names]
    if missing:
        raise UserError(f"{address}: Parquet partition lacks column(s) {', '.join(missing)}; write the corpus "
                        "with `bigtech-events corpus`")
    for row_no, row in enumerate(table.select(list(FIELDS)).to_pylist(), 1):
        where = f"{address}:row {row_no}"
        if isinstance(row["metadata"], str):
            row["metadata"] = _json_value(row["metadata"], f"{where}: metadata")
        yield where, row


def _json_value(text: str, where: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise UserError(f"{where}: not JSON ({exc.msg} at column {exc.colno}); write one JSON object") from None


def _json_record(line: str, where: str) -> dict[str, Any]:
    record = _json_value(line, where)
    if not isinstance(record, dict):
        raise UserError(f"{where}: a record must be a JSON object with {', '.join(FIELDS)}")
    return record


def article_from_record(record: dict[str, Any], where: str) -> Article:
    """The article of one corpus record, checked as :func:`bigtech_events.seeds.load_article` checks a seed."""
    if set(record) != set(FIELDS):
        raise UserError(f"{where}: record has keys {sorted(record)}; a record has exactly {', '.join(FIELDS)}")
    article_id, metadata, text = record["article_id"], record["metadata"], record["text"]
    if not isinstance(article_id, str) or not article_id_pattern().match(article_id):
        raise UserError(f"{where}: article_id {article_id!r} must match {article_id_pattern().pattern}; fix it")
    if not isinstance(text, str) or not text.strip():
        raise UserError(f"{where}: article {article_id} has no text; store its text or remove the record")
    if not isinstance(metadata, dict):
        raise UserError(f"{where}: metadata of {article_id} is not a mapping; write key: value pairs")
    meta, curated = check_metadata(metadata, lambda key: f"{where}: metadata")
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise UserError(f"{where}: text of {article_id} has a lone surrogate at {exc.start}; store valid "
                        "Unicode text") from None
    return Article(article_id, text, hashlib.sha256(data).hexdigest(), meta, Path(where), curated)


def read_articles(address: str) -> Iterator[Article]:
    """The articles of one partition, checked, in seed order (an article out of order is an error)."""
    previous: str | None = None
    for where, record in read_partition(address):
        article = article_from_record(record, where)
        if previous is not None and seed_order(article.article_id) <= seed_order(previous):
            raise UserError(f"{where}: article {article.article_id} comes after {previous}; records must be in "
                            "article-id order without repeats (write the corpus with `bigtech-events corpus`)")
        previous = article.article_id
        yield article
