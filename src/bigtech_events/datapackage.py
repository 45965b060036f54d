"""The Data Package (v2) descriptor, generated from dataset.yaml and schemas/.

Each table is one resource, ``<table>``, whose ``path`` is the CSV file; the
Parquet file with the same rows is described beside it in the resource's
``parquet`` property (path, mediatype, bytes, sha256 hash). Frictionless
validates and reads the CSV resources (its Parquet reader cannot check byte
counts); the project's own validation checks both files.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from .safezip import sha256_file
from .schemas import TABLES, resource_schema
from .seeds import Article

PACKAGE_PROFILE = "https://datapackage.org/profiles/2.0/datapackage.json"
PARQUET_MEDIATYPE = "application/vnd.apache.parquet"


def resource_name(table: str) -> str:
    return table


def file_facts(path: Path) -> tuple[int, str]:
    """A file's size and sha256, read a block at a time (a table's CSV file can be most of a
    package: memory holds a block of it, not the file)."""
    return path.stat().st_size, sha256_file(path)


def source_entry(article: Article) -> dict[str, Any]:
    meta = article.meta
    parts = [f"article {article.article_id}", f"published {meta['published']}", f"by {meta['publisher']}"]
    if meta.get("original_publisher"):
        parts.append(f"originally by {meta['original_publisher']}")
    entry: dict[str, Any] = {"title": meta["title"], "description": "; ".join(parts)}
    if meta.get("url"):
        entry["path"] = meta["url"]
    return entry


def build_descriptor(meta: dict[str, Any], schemas: dict[str, dict[str, Any]],
                     sources: list[dict[str, Any]], root: Path, code_version: str) -> dict[str, Any]:
    """The descriptor for the package rooted at ``root`` (files must exist); :func:`write_descriptor`
    writes it with its ``sources`` given apart."""
    resources = []
    names = {t: resource_name(t) for t in TABLES}
    for table in TABLES:
        csv_rel, pq_rel = f"dataset/{table}.csv", f"dataset/{table}.parquet"
        csv_size, csv_digest = file_facts(root / csv_rel)
        pq_size, pq_digest = file_facts(root / pq_rel)
        resources.append({
            "name": names[table],
            "type": "table",
            "path": csv_rel,
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "title": table,
            "description": schemas[table].get("description", ""),
            "bytes": csv_size,
            "hash": f"sha256:{csv_digest}",
            "dialect": {"delimiter": ",", "quoteChar": '"', "header": True},
            "parquet": {
                "path": pq_rel,
                "format": "parquet",
                "mediatype": PARQUET_MEDIATYPE,
                "bytes": pq_size,
                "hash": f"sha256:{pq_digest}",
            },
            "schema": resource_schema(schemas[table], names),
        })
    return {
        "$schema": PACKAGE_PROFILE,
        "name": meta["name"],
        "title": meta["title"],
        "description": meta["description"],
        "version": meta["version"],
        "created": meta["created"],
        "keywords": list(meta.get("keywords", [])),
        "licenses": meta["licenses"],
        "contributors": meta["contributors"],
        "sources": sources,
        "bigtech_events": {"code_version": code_version},
        "resources": resources,
    }


def dump_descriptor(descriptor: dict[str, Any]) -> str:
    return json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n"


#: Stands for the sources in the descriptor's text until they are written in its place.
_SOURCES_HERE = "bigtech-events: the sources go here"


def write_descriptor(path: Path, descriptor: dict[str, Any], sources: Iterable[dict[str, Any]]) -> None:
    """Write ``descriptor`` with ``sources`` as its ``sources`` list, in the bytes of
    :func:`dump_descriptor` of the whole, one source at a time (memory: one source, however many
    articles the package has)."""
    entries = iter(sources)
    first = next(entries, None)
    if first is None:  # an empty list is written [] on its line
        path.write_text(dump_descriptor({**descriptor, "sources": []}), encoding="utf-8")
        return
    head, marker, tail = dump_descriptor({**descriptor, "sources": [_SOURCES_HERE]}).partition(
        f"\n    {json.dumps(_SOURCES_HERE)}\n")
    assert marker, "the sources' place in the descriptor"
    with open(path, "w", encoding="utf-8") as out:
        out.write(head)
        for k, entry in enumerate(itertools.chain([first], entries)):
            item = json.dumps(entry, indent=2, ensure_ascii=False).replace("\n", "\n    ")
            out.write(f"{',' if k else ''}\n    {item}")
        out.write(f"\n{tail}")


class Sources:
    """The descriptor's sources, one per article, kept in a file as they come (memory does not
    grow with the corpus) and read back in order by :func:`write_descriptor`."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.count = 0
        self._file: Any = open(path, "w", encoding="utf-8")  # noqa: SIM115 - closed in close()

    def append(self, entry: dict[str, Any]) -> None:
        self._file.write(json.dumps(entry, ensure_ascii=False) + "\n")
        self.count += 1

    def __iter__(self) -> Iterator[dict[str, Any]]:
        self._file.close()
        with open(self.path, encoding="utf-8") as f:
            for line in f:
                yield json.loads(line)

    def close(self) -> None:
        """Close and remove the file."""
        self._file.close()
        self.path.unlink(missing_ok=True)
