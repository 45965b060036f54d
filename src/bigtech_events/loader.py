"""Load published tables into pandas with the dtypes generated from the schemas.

A package is a directory (``datapackage.json`` plus ``dataset/``) or a
release zip; both are read through :class:`PackageFiles`, which also checks
every file it hands out against the sha256 recorded in the descriptor.

Examples::

    import bigtech_events
    events = bigtech_events.load("events")                  # the project's package
    events = bigtech_events.load("events", version="0.1.0") # a release, fetched and verified
    tables = bigtech_events.load_package("build/china-bigtech-events-0.1.0.zip")
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
from pathlib import Path
from typing import Any, Self

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from .errors import UserError
from .paths import ROOT_ENV, find_root
from .safezip import SafeZip, is_zip
from .schemas import TABLES, structure_problems
from .tableio import to_pandas

DESCRIPTOR = "datapackage.json"
PathLike = str | os.PathLike[str]


class PackageFiles:
    """Read-only access to the files of a package directory or release zip.

    A zip may hold the package at its root or inside one top-level folder.
    Use as a context manager (the zip is closed on exit).
    """

    def __init__(self, path: PathLike) -> None:
        self.path = Path(path)
        self._zip: SafeZip | None = None
        self._prefix = ""
        if self.path.is_dir():
            if not (self.path / DESCRIPTOR).is_file():
                raise UserError(f"{self.path}: no {DESCRIPTOR} here; pass a package directory or release zip")
        elif is_zip(self.path):
            self._zip = SafeZip(self.path)
            self._prefix = self._find_prefix(self._zip)
        else:
            raise UserError(f"{self.path}: not a package directory or release zip")
        try:
            self.descriptor = self._read_descriptor()
        except UserError:
            self.close()
            raise

    def _find_prefix(self, zf: SafeZip) -> str:
        names = set(zf.namelist())
        if DESCRIPTOR in names:
            return ""
        tops = {n.split("/", 1)[0] for n in names if "/" in n}
        if len(tops) == 1 and f"{next(iter(tops))}/{DESCRIPTOR}" in names:
            return f"{next(iter(tops))}/"
        zf.close()
        raise UserError(f"{self.path}: the zip holds no {DESCRIPTOR}; not a release")

    def _read_descriptor(self) -> dict[str, Any]:
        try:
            descriptor = json.loads(self.read_bytes(DESCRIPTOR).decode("utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise UserError(f"{self.path}: {DESCRIPTOR} is not valid JSON ({exc}); rebuild the package") from None
        if not isinstance(descriptor, dict):
            raise UserError(f"{self.path}: {DESCRIPTOR} is a JSON {type(descriptor).__name__}, not an object "
                            "of package properties; rebuild the package")
        resources = descriptor.get("resources", [])
        if not isinstance(resources, list) or not all(isinstance(r, dict) for r in resources):
            raise UserError(f"{self.path}: {DESCRIPTOR} 'resources' must be a list of objects; rebuild the package")
        schemas = {r.get("name"): r.get("schema") for r in resources}
        for name, schema in schemas.items():
            problems = structure_problems(str(name), schema, f"{self.path}: {DESCRIPTOR}:resource {name}", schemas)
            if problems:
                raise UserError(problems[0])
        return descriptor

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()

    @property
    def version(self) -> str:
        return str(self.descriptor.get("version", ""))

    @property
    def name(self) -> str:
        return str(self.descriptor.get("name", ""))

    def read_bytes(self, rel: str) -> bytes:
        """The bytes of the package file at ``rel`` (a POSIX path relative to the root)."""
        try:
            if self._zip is not None:
                return self._zip.read(self._prefix + rel)
            return (self.path / rel).read_bytes()
        except (KeyError, FileNotFoundError):
            raise UserError(f"{self.path}: {rel} is missing from the package") from None

    def tables(self) -> list[str]:
        """Table (resource) names in descriptor order."""
        return [r["name"] for r in self.descriptor.get("resources", [])]

    def resource(self, table: str) -> dict[str, Any]:
        for res in self.descriptor.get("resources", []):
            if res.get("name") == table:
                return res
        known = ", ".join(self.tables()) or "none"
        raise UserError(f"{self.path}: no table {table!r} in the package (tables: {known})")

    def schema(self, table: str) -> dict[str, Any]:
        """The Table Schema of ``table`` as recorded in this package's descriptor."""
        return self.resource(table)["schema"]

    def verified_bytes(self, file_entry: dict[str, Any]) -> bytes:
        """Bytes of a file described in the descriptor, refused if its sha256 differs."""
        rel = file_entry["path"]
        data = self.read_bytes(rel)
        expected = str(file_entry.get("hash", ""))
        if expected.startswith("sha256:") and hashlib.sha256(data).hexdigest() != expected[7:]:
            raise UserError(f"{self.path}: {rel} does not match the sha256 in {DESCRIPTOR}; "
                            "the file is damaged: fetch or rebuild the package")
        return data

    def arrow_table(self, table: str) -> pa.Table:
        """The Parquet file of ``table`` as an Arrow table, with the schema's columns."""
        res = self.resource(table)
        entry = res.get("parquet") if isinstance(res.get("parquet"), dict) else res
        data = self.verified_bytes(entry)
        try:
            arrow = pq.read_table(io.BytesIO(data))
        except (pa.ArrowException, OSError, ValueError) as exc:
            raise UserError(f"{self.path}: {entry['path']} is not readable Parquet ({exc})") from None
        names = [f["name"] for f in res["schema"]["fields"]]
        if arrow.column_names != names:
            raise UserError(f"{self.path}: {entry['path']} has columns {arrow.column_names}, but its schema "
                            f"lists {names}; rebuild the package")
        return arrow

    def frame(self, table: str) -> pd.DataFrame:
        """``table`` as a DataFrame with dtypes from the package's own schema."""
        df = to_pandas(self.arrow_table(table), self.schema(table))
        df.attrs.update({"package": self.name, "version": self.version, "table": table})
        return df


def default_package() -> Path:
    """The project's package: ``datapackage.json`` at the project root (see :mod:`bigtech_events.paths`)."""
    root = find_root()
    if root is not None and (root / DESCRIPTOR).is_file():
        return root
    raise UserError("no package found: pass path= (a package directory or release zip) or version= "
                    f"(a release to fetch), or run inside the project's checkout (or set {ROOT_ENV})")


def _reading(where: Path) -> contextlib.AbstractContextManager[None]:
    """A package directory a build writes to is read with no install half done: one a killed
    build left journaled is finished first (``install.reading``; POSIX locks, so imported only
    for such a directory)."""
    if where.is_dir() and (where / ".build.lock").exists():
        from .install import reading

        return reading(where)
    return contextlib.nullcontext()


def resolve(path: PathLike | None = None, version: str | None = None) -> Path:
    """Where to read from: ``path``, the fetched release ``version``, or the project's package."""
    if path is not None and version is not None:
        raise UserError("pass either path= or version=, not both")
    if version is not None:
        from .fetch import fetch

        return fetch(version)
    return Path(path) if path is not None else default_package()


def load(table: str, path: PathLike | None = None, version: str | None = None) -> pd.DataFrame:
    """One table as a pandas DataFrame with the dtypes generated from its schema.

    Dates are ``date32[pyarrow]``, enums categoricals, integers ``Int64``,
    numbers ``Float64``, booleans ``boolean``, other strings ``string[pyarrow]``;
    missing values are ``<NA>``.

    Args:
        table: one of ``articles``, ``actors``, ``actor_aliases``, ``mentions``,
            ``events``, ``event_mentions``, ``event_participants``, ``affiliations``,
            ``exchange_rates``, ``amounts``.
        path: a package directory or release zip (default: the package at the project
            root, found from ``$BIGTECH_EVENTS_ROOT`` or the working directory).
        version: a released version to fetch first (see :func:`bigtech_events.fetch`).

    >>> events = load("events", version="0.1.0")  # doctest: +SKIP
    >>> events.groupby("event_type", observed=True).size()  # doctest: +SKIP
    """
    where = resolve(path, version)
    with _reading(where), PackageFiles(where) as pkg:
        return pkg.frame(table)


def load_package(path: PathLike | None = None, version: str | None = None) -> dict[str, pd.DataFrame]:
    """All tables of a package, by name, in dependency order (see :func:`load`)."""
    where = resolve(path, version)
    with _reading(where), PackageFiles(where) as pkg:
        names = pkg.tables()
        ordered = [t for t in TABLES if t in names] + [t for t in names if t not in TABLES]
        return {t: pkg.frame(t) for t in ordered}
