"""The extraction cache: a build re-extracts only the articles whose inputs changed.

Each article's extracted rows are stored under a key made of its text and metadata files (their
bytes) and a *fingerprint* of everything else that reads them: the rules directory, the Table
Schemas, this package's source files, and the versions of Python and of the libraries that take
part in extraction. Change any of these and every key changes, so no entry is used again.

An entry is one small file, ``<cache>/<fingerprint[:16]>/<key[:2]>/<key>.entry``: a magic line,
the sha256 of the rest, then zlib-compressed JSON holding the rows column by column (no pickle:
reading an entry runs no code). Entries are written to a temporary file and renamed into place,
so concurrent builds and a build killed at any moment leave only whole entries. An entry that is
truncated, damaged, of another format or stored under another key is ignored (the article is
extracted again and the entry rewritten); the cache is an optimisation that is never trusted
blindly, and a cache that cannot be written only makes the build slower.

>>> cache = ExtractCache(Path(".cache/bigtech-events"), Path("rules"))   # doctest: +SKIP
>>> key = cache.key(Path("seeds/000_ca264a3c04ffcd24.txt"))               # doctest: +SKIP
>>> cache.load(key, "000_ca264a3c04ffcd24")                               # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import json
import os
import sys
import tempfile
import unicodedata
import zlib
from collections.abc import Iterator
from importlib import metadata
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any, NamedTuple

from .extract.pipeline import PER_ARTICLE_TABLES, ArticleResult

#: Bumped whenever the layout of an entry changes: entries of another format are not read.
FORMAT = "bigtech-events-cache 1"
MAGIC = FORMAT.encode("ascii") + b"\n"
#: Libraries whose behaviour can change what extraction finds (dates, keyword matching, YAML).
LIBRARIES = ("edtf", "pyahocorasick", "pyyaml")
CACHE_DIR_NAME = Path(".cache") / "bigtech-events"
_PLAIN = (str, int, float, bool, type(None))


class Extracted(NamedTuple):
    """What a build needs of one article: its descriptor source entry and its extracted rows."""

    source: dict[str, Any]
    result: ArticleResult


def default_cache_dir(project_root: Path) -> Path:
    """Where ``build`` keeps its cache unless told otherwise: ``<project>/.cache/bigtech-events``."""
    return project_root / CACHE_DIR_NAME


def _hash_tree(digest: Any, directory: Path, suffixes: tuple[str, ...] | None = None) -> None:
    """Feed every file under ``directory`` (relative path and bytes, in path order) to ``digest``."""
    files = sorted(p for p in directory.rglob("*") if p.is_file() and "__pycache__" not in p.parts
                   and (suffixes is None or p.suffix in suffixes))
    for path in files:
        data = path.read_bytes()
        rel = path.relative_to(directory).as_posix().encode("utf-8")
        digest.update(len(rel).to_bytes(8, "big") + rel + len(data).to_bytes(8, "big") + data)


def fingerprint(rules_dir: Path, schemas_dir: Path) -> str:
    """The sha256 of what, besides an article, decides its rows: rules, schemas, code, library versions."""
    digest = hashlib.sha256(MAGIC)
    versions = [sys.version, unicodedata.unidata_version]
    for lib in LIBRARIES:
        try:
            versions.append(f"{lib} {metadata.version(lib)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{lib} absent")
    digest.update(json.dumps(versions).encode("utf-8"))
    for name, directory, suffixes in (("rules", rules_dir, None), ("schemas", schemas_dir, (".json",))):
        digest.update(name.encode("ascii"))
        _hash_tree(digest, directory, suffixes)
    digest.update(b"code" + code_digest().encode("ascii"))
    return digest.hexdigest()


@functools.cache
def code_digest() -> str:
    """The sha256 of this package's source files, read once per process: the code running, not
    files edited while it runs."""
    digest = hashlib.sha256()
    for rel, entry in sorted(_package_files(files(__package__), "")):
        if rel.endswith((".py", ".json")):
            data = entry.read_bytes()
            digest.update(len(rel).to_bytes(8, "big") + rel.encode("utf-8") + len(data).to_bytes(8, "big") + data)
    return digest.hexdigest()


def _package_files(directory: Traversable, prefix: str) -> Iterator[tuple[str, Traversable]]:
    """Every file of the installed package, with its path inside it (caches of compiled code aside)."""
    for entry in directory.iterdir():
        if entry.is_file():
            yield prefix + entry.name, entry
        elif entry.is_dir() and entry.name != "__pycache__":
            yield from _package_files(entry, f"{prefix}{entry.name}/")


# ---------------------------------------------------------------- encoding


def _encode_rows(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Rows of one table, column by column; dates as ISO strings, named in ``dates``.

    Raises ``ValueError`` for rows that would not come back the same (uneven keys, other types).
    """
    columns = list(rows[0]) if rows else []
    values: list[list[Any]] = [[] for _ in columns]
    for row in rows:
        if list(row) != columns:
            raise ValueError("rows of one table with different columns")
        for col, value in zip(values, row.values(), strict=True):
            col.append(value)
    dates = []
    for name, col in zip(columns, values, strict=True):
        if any(type(v) is dt.date for v in col):
            if not all(v is None or type(v) is dt.date for v in col):
                raise ValueError(f"column {name} mixes dates and other values")
            dates.append(name)
            col[:] = [None if v is None else v.isoformat() for v in col]
        elif not all(type(v) in _PLAIN for v in col):
            raise ValueError(f"column {name} holds a value JSON cannot keep")
    return {"columns": columns, "dates": dates, "values": values}


def _decode_rows(data: dict[str, Any]) -> list[dict[str, Any]]:
    columns, dates, values = data["columns"], data["dates"], data["values"]
    if (not isinstance(columns, list) or not isinstance(values, list) or len(columns) != len(values)
            or len({len(col) for col in values}) > 1 or not set(dates) <= set(columns)):
        raise ValueError("malformed table")
    for i, name in enumerate(columns):
        if name in dates:
            values[i] = [None if v is None else dt.date.fromisoformat(v) for v in values[i]]
    return [dict(zip(columns, vals, strict=True)) for vals in zip(*values, strict=True)]


def encode(key: str, cached: Extracted) -> bytes:
    """The bytes of an entry (raises ``ValueError`` when the rows cannot be stored faithfully)."""
    result = cached.result
    payload = {
        "key": key,
        "article_id": result.article_row.get("article_id"),
        "source": cached.source,
        "article_row": _encode_rows([result.article_row]),
        "rows": {t: _encode_rows(result.rows[t]) for t in PER_ARTICLE_TABLES},
        "actor_ids": list(result.actors),
        "actors": _encode_rows(list(result.actors.values())),
        "aliases": sorted(result.aliases),
    }
    body = zlib.compress(json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8"), 6)
    return MAGIC + hashlib.sha256(body).hexdigest().encode("ascii") + b"\n" + body


def decode(data: bytes, key: str, article_id: str) -> Extracted | None:
    """The entry in ``data`` if it is whole, of this format and stored for ``key``; else ``None``."""
    head = len(MAGIC) + 65
    if not data.startswith(MAGIC) or len(data) < head or data[head - 1:head] != b"\n":
        return None
    body = data[head:]
    if hashlib.sha256(body).hexdigest().encode("ascii") != data[len(MAGIC):head - 1]:
        return None
    try:
        payload = json.loads(zlib.decompress(body))
        if payload["key"] != key or payload["article_id"] != article_id:
            return None
        article_rows = _decode_rows(payload["article_row"])
        actors = _decode_rows(payload["actors"])
        if len(article_rows) != 1 or len(actors) != len(payload["actor_ids"]) \
                or not isinstance(payload["source"], dict):
            return None
        result = ArticleResult(
            article_row=article_rows[0],
            rows={t: _decode_rows(payload["rows"][t]) for t in PER_ARTICLE_TABLES},
            actors=dict(zip(payload["actor_ids"], actors, strict=True)),
            aliases={(str(a), str(b)) for a, b in payload["aliases"]},
        )
    except (ValueError, KeyError, TypeError, IndexError, zlib.error):
        return None
    return Extracted(payload["source"], result)


# ---------------------------------------------------------------- the store


class ExtractCache:
    """Entries for one fingerprint (rules, schemas, code) under ``root``."""

    def __init__(self, root: Path, rules_dir: Path, schemas_dir: Path) -> None:
        self.root = root
        self.fingerprint = fingerprint(rules_dir, schemas_dir)
        self.directory = root / self.fingerprint[:16]

    def key(self, txt_path: Path) -> str:
        """The key of the seed ``txt_path`` (its id, its text's and its metadata's bytes, the fingerprint)."""
        digest = hashlib.sha256(self.fingerprint.encode("ascii"))
        for part in (txt_path.stem.encode("utf-8"), txt_path.read_bytes(),
                     txt_path.with_suffix(".yaml").read_bytes()):
            digest.update(len(part).to_bytes(8, "big") + part)
        return digest.hexdigest()

    def path(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key}.entry"

    def has(self, key: str) -> bool:
        return self.path(key).is_file()

    def load(self, key: str, article_id: str) -> Extracted | None:
        """The entry for ``key``, or ``None`` when there is none or it cannot be trusted."""
        try:
            data = self.path(key).read_bytes()
        except OSError:
            return None
        return decode(data, key, article_id)

    def store(self, key: str, cached: Extracted) -> None:
        """Write the entry for ``key`` atomically; a cache that cannot be written is left alone."""
        try:
            data = encode(key, cached)
        except ValueError:
            return  # rows JSON cannot keep exactly: this article is always extracted
        target = self.path(key)
        tmp = None
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".part", dir=target.parent)
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(tmp, target)
            tmp = None
        except OSError:
            pass  # a full disk or a read-only cache costs speed, never the build
        finally:
            if tmp is not None:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)


code_digest()  # at import, with the rest of the code: the digest of the code that runs
