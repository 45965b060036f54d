"""The rows of the last build, kept beside the extraction cache, so that the next build copies them.

The extraction cache (:mod:`bigtech_events.cache`) spares a build the extraction of an unchanged
article, but reading twenty thousand entries and turning their rows into tables again still
costs seconds per ten thousand articles. So a build with a cache also keeps, for its fingerprint
(rules, schemas, code), the tables it wrote as Arrow IPC files and a manifest naming, in order,
each article, its cache key and how many rows it has in each table:

    <cache>/<fingerprint[:16]>/snapshot/manifest.json
    <cache>/<fingerprint[:16]>/snapshot/<table>.arrow

The next build takes an article's rows from there (zero-copy slices of memory-mapped files) when
the article's key is the one recorded, which means its text, metadata, rules, schemas and code are
the same; every other article is read from its cache entry or extracted. Rows go to the writer in
article order either way, and the writer cuts batches by row count alone, so the package is
byte for byte the one a build without a cache writes (tested).

A snapshot is written to a temporary folder and renamed into place only after the build it
records has validated and been installed. One that is incomplete, of another format or
fingerprint, or whose files do not have the sizes and sha256 digests the manifest records, is
ignored (the build then reads the cache entries); a snapshot that cannot be written costs only
speed.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa

from .extract.pipeline import PER_ARTICLE_TABLES
from .safezip import sha256_file

FORMAT = "bigtech-events-snapshot 1"
TABLES = ("articles", *PER_ARTICLE_TABLES)


@dataclass(frozen=True)
class Kept:
    """An article whose rows are taken from the snapshot: its position there."""

    index: int


@dataclass
class Snapshot:
    """A snapshot that was read and checked: its tables and, per article, what the writer needs."""

    tables: dict[str, pa.Table]
    ids: list[str]
    keys: list[str]
    offsets: dict[str, list[int]]  # per table, the first row of each article (and one past the last)
    sources: list[dict[str, Any]]
    actor_rows: list[tuple[str, dict[str, Any]]]  # the distinct (actor id, row) of every article
    alias_pairs: list[tuple[str, str]]  # the distinct (actor id, alias) of every article
    article_actors: list[list[int]]  # per article, its actors (positions in actor_rows), in order
    article_aliases: list[list[int]]

    def index(self) -> dict[tuple[str, str], int]:
        """Each recorded (article id, key) and its position."""
        return {(a, k): i for i, (a, k) in enumerate(zip(self.ids, self.keys, strict=True))}

    def rows(self, table: str, first: int, last: int) -> pa.Table:
        """The rows of the articles at positions ``first`` to ``last`` (inclusive) of ``table``."""
        start, end = self.offsets[table][first], self.offsets[table][last + 1]
        return self.tables[table].slice(start, end - start)

    def actors(self, i: int) -> dict[str, dict[str, Any]]:
        return dict(self.actor_rows[a] for a in self.article_actors[i])

    def aliases(self, i: int) -> list[tuple[str, str]]:
        return [self.alias_pairs[a] for a in self.article_aliases[i]]


def snapshot_dir(cache_directory: Path) -> Path:
    return cache_directory / "snapshot"


FILES = (*(f"{t}.arrow" for t in TABLES), "articles.jsonl", "actors.json", "keys.json")


def load(cache_directory: Path, fingerprint: str, schemas: dict[str, pa.Schema]) -> Snapshot | None:
    """The snapshot for ``fingerprint`` under ``cache_directory`` if it is whole and checks out."""
    from .cache import _decode_rows

    directory = snapshot_dir(cache_directory)
    try:
        manifest = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
        if manifest.get("format") != FORMAT or manifest.get("fingerprint") != fingerprint:
            return None
        for name in FILES:
            size, digest = manifest["files"][name]
            if (directory / name).stat().st_size != size or sha256_file(directory / name) != digest:
                return None
        tables = {}
        for table in TABLES:
            loaded = pa.ipc.open_file(pa.memory_map(str(directory / f"{table}.arrow"))).read_all()
            if not loaded.schema.equals(schemas[table]):
                return None
            tables[table] = loaded
        with open(directory / "articles.jsonl", encoding="utf-8") as f:
            articles = [json.loads(line) for line in f]
        shared = json.loads((directory / "actors.json").read_text(encoding="utf-8"))
        keys = json.loads((directory / "keys.json").read_text(encoding="utf-8"))
        offsets = {t: [0, *itertools.accumulate(a["rows"][j] for a in articles)] for j, t in enumerate(TABLES)}
        if len(keys) != len(articles) or any(offsets[t][-1] != tables[t].num_rows for t in TABLES):
            return None
        rows = _decode_rows(shared["actors"])
        return Snapshot(
            tables=tables,
            ids=[a["id"] for a in articles],
            keys=keys,
            offsets=offsets,
            sources=[a["source"] for a in articles],
            actor_rows=[(str(i), row) for i, row in zip(shared["actor_ids"], rows, strict=True)],
            alias_pairs=[(str(a), str(b)) for a, b in shared["aliases"]],
            article_actors=[a["actors"] for a in articles],
            article_aliases=[a["aliases"] for a in articles],
        )
    except (OSError, ValueError, KeyError, TypeError, IndexError, pa.ArrowException):
        return None


def _open_ipc(path: Path, schema: pa.Schema) -> Any:
    return pa.ipc.new_file(str(path), schema)


class Tee:
    """Where a table's sink copies every batch it writes: an Arrow IPC file of the snapshot. A
    file that cannot be written marks the snapshot broken (it is then not installed); the build
    goes on."""

    def __init__(self, recorder: Recorder, path: Path) -> None:
        self.recorder, self.path, self._writer = recorder, path, None

    def _open(self, schema: pa.Schema) -> bool:
        if self._writer is None and not self.recorder.broken:
            try:
                self._writer = _open_ipc(self.path, schema)
            except (OSError, pa.ArrowException):
                self.recorder.broken = True
        return self._writer is not None

    def write(self, batch: pa.RecordBatch) -> None:
        if self._open(batch.schema):
            try:
                self._writer.write_batch(batch)
            except (OSError, pa.ArrowException):
                self.recorder.broken = True

    def close(self, schema: pa.Schema) -> None:
        if self._open(schema):
            try:
                self._writer.close()
            except (OSError, pa.ArrowException):
                self.recorder.broken = True
            self._writer = None


class Recorder:
    """Records a build's rows as it writes them (the writer's sinks tee into a temporary folder),
    then installs them as the snapshot of ``cache_directory`` once the build is installed.

    Memory does not grow with the corpus: each article's record is appended to a file as it comes;
    only the distinct actor rows and aliases (a few hundred) are held.
    """

    def __init__(self, cache_directory: Path, fingerprint: str) -> None:
        self.cache_directory, self.fingerprint = cache_directory, fingerprint
        self.broken = False  # an actor row JSON cannot keep exactly: no snapshot this time
        self._actors: dict[tuple[str, tuple[Any, ...]], int] = {}  # (actor id, row) -> position
        self._actor_rows: list[tuple[str, dict[str, Any]]] = []
        self._aliases: dict[tuple[str, str], int] = {}
        self._copied: dict[tuple[str, int], int] = {}  # ("actor" or "alias", snapshot position) -> position
        self._file: Any = None
        try:
            self.cache_directory.mkdir(parents=True, exist_ok=True)
            self.tmp: Path | None = Path(tempfile.mkdtemp(prefix=".snapshot-", dir=self.cache_directory))
            self._file = open(self.tmp / "articles.jsonl", "w", encoding="utf-8")  # noqa: SIM115 - closed in install
        except OSError:
            self.tmp = None  # a cache that cannot be written: no snapshot

    def tee(self, table: str) -> Tee | None:
        return None if self.tmp is None else Tee(self, self.tmp / f"{table}.arrow")

    def article(self, article_id: str, counts: dict[str, int], source: dict[str, Any],
                actors: dict[str, dict[str, Any]], aliases: Any) -> None:
        """Record one article written (its rows already handed to the sinks)."""
        if self.tmp is None or self.broken:
            return
        positions = []
        for actor_id, row in actors.items():
            at = self._actor(actor_id, row)
            if at is None:
                return
            positions.append(at)
        pairs = [self._aliases.setdefault(pair, len(self._aliases)) for pair in sorted(aliases)]
        self._write(article_id, [counts[t] for t in TABLES], source, positions, pairs)

    def copied(self, snapshot: Snapshot, i: int) -> None:
        """Record the article at position ``i`` of ``snapshot``, whose rows were copied from there:
        what :meth:`article` records of it, its actors and aliases looked up once per build."""
        if self.tmp is None or self.broken:
            return
        positions = []
        for a in snapshot.article_actors[i]:
            at = self._copied.get(("actor", a))
            if at is None:
                at = self._actor(*snapshot.actor_rows[a])
                if at is None:
                    return
                self._copied["actor", a] = at
            positions.append(at)
        pairs = []
        for a in snapshot.article_aliases[i]:  # recorded in sorted order, as article() records them
            at = self._copied.get(("alias", a))
            if at is None:
                at = self._copied["alias", a] = self._aliases.setdefault(snapshot.alias_pairs[a], len(self._aliases))
            pairs.append(at)
        offsets = snapshot.offsets
        self._write(snapshot.ids[i], [offsets[t][i + 1] - offsets[t][i] for t in TABLES], snapshot.sources[i],
                    positions, pairs)

    def _actor(self, actor_id: str, row: dict[str, Any]) -> int | None:
        """The position of an actor row among those recorded (added when new); ``None`` when it
        cannot be kept (the snapshot is then marked broken)."""
        try:  # the same row: the same values of the same types (1, 1.0 and True are not one)
            values = tuple(row.values())
            key = (actor_id, tuple(row), values, tuple(map(type, values)))
            at = self._actors.get(key)
        except TypeError:  # a value that cannot be hashed cannot be kept either
            self.broken = True
            return None
        if at is None:
            at = self._actors[key] = len(self._actor_rows)
            self._actor_rows.append((actor_id, row))
        return at

    def _write(self, article_id: str, rows: list[int], source: dict[str, Any], actors: list[int],
               aliases: list[int]) -> None:
        record = {"id": article_id, "rows": rows, "source": source, "actors": actors, "aliases": aliases}
        try:
            self._file.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n")
        except (OSError, ValueError, TypeError):
            self.broken = True

    def install(self, keys: list[str | None]) -> None:
        """Write the rest of the snapshot (``keys``: each recorded article's cache key, in order) and
        put it in place of the previous one. Called after the sinks are closed."""
        from .cache import _encode_rows

        if self.tmp is None or self.broken:
            self.discard()
            return
        try:
            self._file.close()
            rows = [row for _, row in self._actor_rows]
            if rows and len({tuple(r) for r in rows}) > 1:
                raise ValueError("actor rows with different columns")
            shared = {"actor_ids": [a for a, _ in self._actor_rows], "actors": _encode_rows(rows),
                      "aliases": list(self._aliases)}
            (self.tmp / "actors.json").write_text(json.dumps(shared, ensure_ascii=False), encoding="utf-8")
            (self.tmp / "keys.json").write_text(json.dumps(keys), encoding="utf-8")
            files = {name: [(self.tmp / name).stat().st_size, sha256_file(self.tmp / name)] for name in FILES}
            manifest = {"format": FORMAT, "fingerprint": self.fingerprint, "files": files}
            (self.tmp / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
            target = snapshot_dir(self.cache_directory)
            old = None
            if target.exists():
                old = Path(tempfile.mkdtemp(prefix=".snapshot-old-", dir=self.cache_directory))
                os.replace(target, old / "snapshot")
            os.replace(self.tmp, target)
            self.tmp = None
            if old is not None:
                shutil.rmtree(old, ignore_errors=True)
        except (OSError, ValueError, TypeError):
            self.discard()

    def discard(self) -> None:
        if self._file is not None:
            with contextlib.suppress(OSError):
                self._file.close()
        if self.tmp is not None:
            with contextlib.suppress(OSError):
                shutil.rmtree(self.tmp)
            self.tmp = None
