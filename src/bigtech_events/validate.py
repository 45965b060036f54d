"""Validate a package directory or release zip.

Checks, each reported as one line naming table, row, column (and rule where
the row has one):
- descriptor: Data Package v2 profile, every resource file present with the
  recorded ``bytes`` and sha256 ``hash``;
- every Parquet and CSV file against the pandera schema generated from the
  table schema (types, required, unique, enums, patterns, ranges, EDTF,
  dates, primary keys), a batch of rows at a time (:mod:`.validate_tables`);
- CSV and Parquet hold the same rows (compared batch by batch);
- every foreign key resolves (looked up a batch of rows at a time, :mod:`.validate_keys`);
- every ``amounts.value_usd`` is its value at the rate its ``usd_rate_id`` names
  (the amounts' money columns a batch at a time, :mod:`.validate_keys`);
- every span reproduces its recorded text from the seed, for each article whose
  text is at hand (releases carry no texts: :class:`Report` says which articles'
  span checks were skipped; :mod:`.validate_spans`);
- Frictionless validation of the descriptor and the CSV resources, the
  independent check: run last, only when everything else passed, one
  resource per worker process.

Memory is bounded by a batch of rows and 8 bytes per row of one table's key (its hash), not by
the whole package's columns.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from .datapackage import PACKAGE_PROFILE, resource_name
from .pandera_schemas import load_backends
from .progress import Bar
from .progress import task as progress_task
from .safezip import SafeZip, is_zip, sha256_file
from .schemas import TABLES, structure_problems
from .validate_keys import check_foreign_keys, check_usd_values
from .validate_spans import SPAN_TEXT, check_spans, skipped_line
from .validate_tables import MAX_PER_CHECK, check_table
from .workers import WorkerPool, worker_setup

__all__ = ["SPAN_TEXT", "Report", "check_package", "check_path", "validate_dir", "validate_path"]


def _descriptor_schema(resource: dict[str, Any]) -> dict[str, Any]:
    """Table schema of a resource with foreign keys pointing at table names again."""
    return json.loads(json.dumps(resource.get("schema")))


def check_files(root: Path, descriptor: dict[str, Any]) -> list[str]:
    problems = []
    listed = set()
    files = []
    for res in descriptor.get("resources", []):
        files.append(res)
        if isinstance(res.get("parquet"), dict):
            files.append({"name": f"{res.get('name')} (parquet)", **res["parquet"]})
    for res in files:
        path = root / res.get("path", "")
        listed.add(res.get("path"))
        if not path.is_file():
            problems.append(f"datapackage.json:resource {res.get('name')}: file {res.get('path')} is missing")
            continue
        size, digest = path.stat().st_size, sha256_file(path)  # read a block at a time
        if res.get("bytes") != size:
            problems.append(f"datapackage.json:resource {res['name']}: bytes is {res.get('bytes')} but "
                            f"the file has {size}; rebuild the package")
        if res.get("hash") != f"sha256:{digest}":
            problems.append(f"datapackage.json:resource {res['name']}: hash does not match "
                            f"{res['path']}; rebuild the package")
    dataset = root / "dataset"
    if dataset.is_dir():
        for path in sorted(dataset.iterdir()):
            if f"dataset/{path.name}" not in listed:
                problems.append(f"dataset/{path.name}: file is not listed in datapackage.json; "
                                "remove it or rebuild")
    return problems


def _frictionless_lines(report: Any) -> tuple[list[str], list[str]]:
    """A Frictionless report as problem lines: those of its tasks, and its own errors."""
    tasks = []
    for task in report.tasks:
        for err in task.errors[:MAX_PER_CHECK]:
            row = getattr(err, "row_number", None)
            col = getattr(err, "field_name", None)
            where = f"{task.name}" + (f":line {row}" if row else "") + (f":column {col}" if col else "")
            tasks.append(f"{where}: frictionless {err.type}: {err.note}")
    return tasks, [f"datapackage.json: frictionless {err.type}: {err.note}" for err in report.errors]


def _open_package(root: Path) -> Any:
    from frictionless import Package

    descriptor = json.loads((root / "datapackage.json").read_text(encoding="utf-8"))
    return Package(descriptor, basepath=str(root))


def _frictionless_resource(item: tuple[str, str]) -> tuple[list[str], list[str]]:
    """Frictionless validation of one resource of the package at ``root`` (foreign keys included)."""
    root, name = item
    return _frictionless_lines(_open_package(Path(root)).validate(name=name))


def frictionless_check(root: Path, jobs: int = 0) -> list[str]:
    """Frictionless validation of the descriptor and the CSV resources, one resource per worker.

    The same lines as one ``Package.validate()``: the descriptor is checked once here, then each
    resource (with its foreign keys) in a worker process, largest first, reported in descriptor order.
    """
    from frictionless import FrictionlessException

    package = _open_package(root)
    try:
        package.to_descriptor(validate=True)
    except FrictionlessException as exc:
        return [f"datapackage.json: frictionless {err.type}: {err.note}" for err in exc.to_errors()]
    names = [r.name for r in package.resources]
    sizes = {r.name: r.bytes or 0 for r in package.resources}
    order = sorted(names, key=lambda n: -sizes[n])
    jobs = min(jobs or os.cpu_count() or 1, len(names))
    items = [(str(root), name) for name in order]
    if jobs <= 1:
        results = [_frictionless_resource(item) for item in items]
    else:
        with WorkerPool(jobs, _frictionless_resource, worker_setup, (os.getpid(),),
                        doing="validating with Frictionless; run the validation again", fresh=True) as pool:
            results = list(pool.imap(items, chunksize=1))
    by_name = dict(zip(order, results, strict=True))
    tasks = [line for n in names for line in by_name[n][0]]
    return tasks + [line for n in names for line in by_name[n][1]]


def load_descriptor(root: Path) -> tuple[dict[str, Any] | None, list[str]]:
    path = root / "datapackage.json"
    if not path.is_file():
        return None, [f"{path}: no datapackage.json; build the package first"]
    try:
        descriptor = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        return None, [f"{path}:{exc.lineno}: invalid JSON ({exc.msg}); rebuild the package"]
    except UnicodeDecodeError as exc:
        return None, [f"{path}: byte {exc.start} is not UTF-8; rebuild the package"]
    return _checked_descriptor(path, descriptor)


def _checked_descriptor(path: Path, descriptor: Any) -> tuple[dict[str, Any] | None, list[str]]:
    if not isinstance(descriptor, dict):
        what = f"the descriptor is a JSON {type(descriptor).__name__}, not an object of package properties"
        return None, [f"{path}:1: {what}; rebuild the package"]
    resources = descriptor.get("resources", [])
    if not isinstance(resources, list) or not all(isinstance(r, dict) for r in resources):
        return None, [f"{path}: 'resources' must be a list of objects; rebuild the package"]
    problems = []
    if descriptor.get("$schema") != PACKAGE_PROFILE:
        problems.append(f"{path}: $schema must be {PACKAGE_PROFILE}")
    return descriptor, problems


def load_lean_descriptor(root: Path) -> tuple[dict[str, Any] | None, list[str]]:
    """:func:`load_descriptor` without the descriptor's ``sources`` (one per article), which no
    check reads: the file is read as a stream of JSON events (ijson) and the events of the sources
    are passed over, so memory does not grow with the articles (their sources took 53 MB parsed at 100,000).
    A file the stream does not take (not JSON, not UTF-8, or JSON with Python's extensions such as
    ``NaN``) is read whole by :func:`load_descriptor`, which words its problems."""
    path = root / "datapackage.json"
    if not path.is_file():
        return load_descriptor(root)
    import ijson
    from ijson.common import ObjectBuilder

    builder = ObjectBuilder()
    try:
        with path.open("rb") as file:
            for prefix, event, value in ijson.parse(file, use_float=True):
                if prefix == "sources" or prefix.startswith("sources.") or \
                        (prefix == "" and event == "map_key" and value == "sources"):
                    continue
                builder.event(event, value)
    except (ijson.JSONError, UnicodeDecodeError, ValueError):
        descriptor, problems = load_descriptor(root)
        if descriptor is not None:
            descriptor.pop("sources", None)
        return descriptor, problems
    return _checked_descriptor(path, builder.value)


@dataclass
class Report:
    """What validating a package found: the problems, and the articles whose spans were not
    checked because their texts are absent (a release carries no texts)."""

    problems: list[str] = field(default_factory=list)
    articles: int = 0
    texts_absent: list[str] = field(default_factory=list)

    def skipped(self) -> str | None:
        """One line saying which span checks were skipped and why; ``None`` when none were."""
        return skipped_line(self.texts_absent, self.articles)

    def strict(self, seeds_dir: Path | None) -> list[str]:
        """The problems, and with ``seeds_dir`` (a build, a release) one more per article whose
        text is not there; without it the span checks are simply left out."""
        if seeds_dir is None:
            return self.problems
        return self.problems + [f"articles:article {a}: seed text {seeds_dir / f'{a}.txt'} is missing; "
                                "spans cannot be checked" for a in self.texts_absent]


def check_package(root: Path, seeds_dir: Path | None = None, run_frictionless: bool = True,
                  jobs: int = 0, span_articles: Collection[str] | None = None) -> Report:
    """Validate the package rooted at ``root``: every check that can run, with the span checks of
    the articles whose text is in ``seeds_dir`` (none without it).

    ``jobs`` worker processes check the tables and run the Frictionless pass (0: one per core).
    With ``span_articles``, the span checks are made for those articles alone: a build whose
    other articles' rows are copies of rows its last build validated against the same texts.
    """
    jobs = jobs or os.cpu_count() or 1
    descriptor, problems = load_lean_descriptor(root)
    if descriptor is None:
        return Report(problems)
    problems += check_files(root, descriptor)
    by_name = {r.get("name"): r for r in descriptor.get("resources", [])}
    schemas: dict[str, dict[str, Any]] = {}
    readable: dict[str, Path] = {}
    with progress_task("validating", total=len(TABLES) + 3) as bar:
        spans: list[tuple[list[str], list[str]]] = []  # the span checks, when made beside the tables
        keys: list[list[str]] = []  # the checks across tables, when made beside the tables
        problems += _check_tables(root, by_name, schemas, readable, bar, jobs, spans, seeds_dir, span_articles,
                                  keys)
        problems += keys[0] if keys else _across_tables(readable, schemas)
        bar.advance("spans")
        span_problems, absent = spans[0] if spans else check_spans(readable, schemas, seeds_dir, span_articles)
        problems += span_problems
        bar.advance("frictionless")
        if run_frictionless and not problems:
            problems += frictionless_check(root, jobs)
        bar.advance()
    articles = pq.ParquetFile(readable["articles"]).metadata.num_rows if "articles" in readable else 0
    return Report(problems, articles, absent)


def validate_dir(root: Path, seeds_dir: Path | None = None, run_frictionless: bool = True,
                 jobs: int = 0, span_articles: Collection[str] | None = None) -> list[str]:
    """All problems found in the package rooted at ``root`` (empty when valid).

    With ``seeds_dir`` (a build, a release) an article whose text is not there is a problem
    (:meth:`Report.strict`); ``span_articles`` is :func:`check_package`'s.
    """
    return check_package(root, seeds_dir, run_frictionless, jobs, span_articles).strict(seeds_dir)


def _across_tables(paths: dict[str, Path], schemas: dict[str, dict[str, Any]]) -> list[str]:
    """The checks across tables: foreign keys, then amounts in US dollars."""
    return check_foreign_keys(paths, schemas) + check_usd_values(paths, schemas)


#: The checks that run beside the table checks (on the Parquet files the tables are expected to
#: have), by the name their task opens with: ``("spans", paths, schemas, seeds_dir, only)`` and
#: ``("keys", paths, schemas)``.
_BESIDE = {"spans": check_spans, "keys": _across_tables}


def _table_task(item: tuple[Any, ...]) -> Any:
    """In a worker process: :func:`check_table` of one table, or one of the checks of :data:`_BESIDE`."""
    beside = _BESIDE.get(item[0])
    if beside is not None:
        try:
            return beside(*item[1:])
        except Exception:  # noqa: BLE001 - a file the table checks will report: checked again after them
            return None
    return check_table(*item)


def _check_tables(root: Path, by_name: dict[str, Any], schemas: dict[str, dict[str, Any]],
                  readable: dict[str, Path], bar: Bar, jobs: int = 1,
                  spans: list[Any] | None = None, seeds_dir: Path | None = None,
                  span_articles: Collection[str] | None = None, keys: list[Any] | None = None) -> list[str]:
    """Check each table's files against its schema, filling ``schemas`` and ``readable`` (the
    tables whose Parquet file was read in full). With ``jobs`` above 1 the tables are checked in
    that many worker processes, largest first; the problems are listed in table order either way.

    With a ``spans`` list and workers, the span checks run beside the table checks, on the
    Parquet files of every table with a sound schema; their result (problems, absent texts) is put
    in ``spans`` only when those files all turn out readable, i.e. when it is the result the span
    checks give after the table checks. The same for the checks across tables and ``keys``: in a
    worker, their memory (a hash per referred row) is not kept by the parent, which forks workers.
    """
    by_name_schemas = {name: r.get("schema") for name, r in by_name.items()}
    found: dict[str, list[str]] = {}
    tasks: dict[str, tuple[str, dict[str, Any], Path, Path]] = {}
    for table in TABLES:
        csv_res = by_name.get(resource_name(table))
        pq_res = csv_res.get("parquet") if csv_res else None
        if csv_res is None or not isinstance(pq_res, dict):
            found[table] = [f"datapackage.json: table {table} lacks its CSV or Parquet resource; rebuild"]
            continue
        schema = _descriptor_schema(csv_res)
        broken = structure_problems(table, schema, f"datapackage.json:resource {table}", by_name_schemas)
        if broken:
            found[table] = broken
            continue
        schemas[table] = schema
        tasks[table] = (table, schema, root / csv_res["path"], root / pq_res["path"])
    order = sorted(tasks, key=lambda t: -_size(tasks[t][2]))
    guess = {t: tasks[t][3] for t in order}
    if jobs <= 1 or len(order) < 2:
        results = []
        for table in order:
            bar.advance(table)
            results.append(check_table(*tasks[table]))
    else:
        items: list[tuple[Any, ...]] = [tasks[t] for t in order]
        if spans is not None:  # as large as the largest table: it goes second
            items.insert(1, ("spans", guess, dict(schemas), seeds_dir, span_articles))
        if keys is not None:
            items.insert(min(3, len(items)), ("keys", guess, dict(schemas)))
        load_backends()  # once here, not in each of the fresh workers
        with WorkerPool(min(jobs, len(items)), _table_task, worker_setup, (os.getpid(),),
                        doing="validating tables; run the validation again", fresh=True) as pool:
            got = []
            for item, result in zip(items, pool.imap(items, chunksize=1), strict=False):
                if item[0] not in _BESIDE:
                    bar.advance(item[0])
                got.append(result)
        beside = {item[0]: result for item, result in zip(items, got, strict=True) if item[0] in _BESIDE}
        results = [result for item, result in zip(items, got, strict=True) if item[0] not in _BESIDE]
    for table, (problems, parquet_ok) in zip(order, results, strict=True):
        found[table] = problems
        if parquet_ok:
            readable[table] = tasks[table][3]
    if jobs > 1 and len(order) >= 2 and readable == guess:
        for wanted, name in ((spans, "spans"), (keys, "keys")):
            if wanted is not None and beside.get(name) is not None:
                wanted.append(beside[name])
    return [line for table in TABLES for line in found.get(table, [])]


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def check_path(path: Path, seeds_dir: Path | None = None, run_frictionless: bool = True,
               jobs: int = 0) -> Report:
    """Validate a package directory or a release zip (checked and streamed by :mod:`.safezip`);
    spans are checked for the articles whose text is in ``seeds_dir``, the rest reported skipped."""
    if is_zip(path):
        with tempfile.TemporaryDirectory(prefix="bigtech-validate-") as tmp:
            with SafeZip(path) as zf:
                zf.extract_all(Path(tmp))
            root = Path(tmp)
            subdirs = [p for p in root.iterdir() if p.is_dir()]
            if not (root / "datapackage.json").exists() and len(subdirs) == 1:
                root = subdirs[0]
            report = check_package(root, seeds_dir, run_frictionless, jobs)
            report.problems = [_in_zip(p, root, Path(tmp), path) for p in report.problems]
            return report
    if not path.is_dir():
        return Report([f"{path}: not a package directory or release zip"])
    return check_package(path, seeds_dir, run_frictionless, jobs)


def validate_path(path: Path, seeds_dir: Path | None = None, run_frictionless: bool = True,
                  jobs: int = 0) -> list[str]:
    """The problems of a package directory or release zip (:func:`check_path`); with ``seeds_dir``,
    an article whose text is not there is a problem too."""
    return check_path(path, seeds_dir, run_frictionless, jobs).strict(seeds_dir)


def _in_zip(problem: str, root: Path, tmp: Path, zip_path: Path) -> str:
    """A problem found in a zip's extracted copy, naming the zip instead of the temporary folder."""
    for prefix in (f"{root}/", f"{tmp}/", str(root), str(tmp)):
        problem = problem.replace(prefix, f"{zip_path}:" if prefix.endswith("/") else str(zip_path))
    return problem
