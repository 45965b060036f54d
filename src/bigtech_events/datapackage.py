"""The Data Package (v2) descriptor, generated from dataset.yaml and schemas/.

Each table is one resource, ``<table>``, whose ``path`` is the CSV file; the
Parquet file with the same rows is described beside it in the resource's
``parquet`` property (path, mediatype, bytes, sha256 hash). Frictionless
validates and reads the CSV resources (its Parquet reader cannot check byte
counts); the project's own validation checks both files.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from .schemas import TABLES, resource_schema
from .seeds import Article

PACKAGE_PROFILE = "https://datapackage.org/profiles/2.0/datapackage.json"
PARQUET_MEDIATYPE = "application/vnd.apache.parquet"


def resource_name(table: str) -> str:
    return table


def file_facts(path: Path) -> tuple[int, str]:
    data = path.read_bytes()
    return len(data), hashlib.sha256(data).hexdigest()


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
    """The descriptor for the package rooted at ``root`` (files must exist)."""
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
