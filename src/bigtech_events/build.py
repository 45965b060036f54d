"""Build: seeds + rules -> extraction -> validation -> package, written atomically.

Everything is written to a temporary directory beside the target; the old
package is replaced only after the new one validates, so a failed build
leaves the previous package byte for byte as it was. The switch itself, its
lock and its journal are in :mod:`bigtech_events.install`; the worker
processes die with the build and ignore Ctrl-C (the build stops them).
"""

from __future__ import annotations

import os
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import __version__, timing
from .datapackage import build_descriptor, dump_descriptor, source_entry
from .errors import UserError, ValidationFailed, naming
from .extract import ArticleResult, Extractor
from .extract.fx import load_exchange_rates
from .extract.pipeline import PER_ARTICLE_TABLES
from .install import install, prepare_out_dir, workspace
from .metadata import load_dataset_meta
from .progress import track
from .ruleset import load_rules, read_rules_file
from .schemas import load_schemas
from .seeds import Article, check_seeds, load_article
from .validate import validate_dir
from .workers import WorkerPool, worker_setup
from .writer import TableSink

_WORKER: Extractor | None = None


@dataclass
class BuildReport:
    out_dir: Path
    counts: dict[str, int]
    articles: int


def _init_worker(rules_dir: str) -> None:
    global _WORKER
    _WORKER = Extractor(load_rules(Path(rules_dir)))


def _init_spawned_worker(parent: int, rules_dir: str) -> None:
    worker_setup(parent)
    _init_worker(rules_dir)


def _extract_path(path: str) -> tuple[Article, ArticleResult]:
    assert _WORKER is not None
    with timing.stage("ingest"):
        article = load_article(Path(path))
    result = _WORKER.extract(article)
    result.timings = timing.take()  # this process's seconds so far go with the result (empty when off)
    return _strip(article), result


def _strip(article: Article) -> Article:
    """The article without its text (the text is not needed after extraction)."""
    return Article(article.article_id, "", article.text_sha256, article.meta, article.path,
                   article.curated_dates)


def extract_all(seeds_dir: Path, rules_dir: Path, jobs: int = 1
                ) -> Generator[tuple[Article, ArticleResult], None, None]:
    """Extraction results in article-id order, streamed (memory does not grow with the corpus)."""
    paths = [str(p) for p in check_inputs(seeds_dir, rules_dir)]
    yield from track(_extract_paths(paths, str(rules_dir), jobs), "extracting articles", total=len(paths))


def check_inputs(seeds_dir: Path, rules_dir: Path) -> list[Path]:
    """The seed texts to extract, after every seed and every rules file is checked; raises
    :class:`ValidationFailed` listing every problem of all of them at once (seeds first).

    The rules are compiled here, not in a worker, so that they are checked before any work."""
    paths, problems = check_seeds(seeds_dir)
    try:
        _init_worker(str(rules_dir))
    except ValidationFailed as exc:
        problems += exc.problems
    except UserError as exc:
        problems.append(str(exc))
    if problems:
        raise ValidationFailed(problems)
    return paths


def _extract_paths(paths: list[str], rules_dir: str, jobs: int) -> Iterator[tuple[Article, ArticleResult]]:
    if jobs <= 1 or len(paths) < 2:
        for p in paths:
            yield _extract_path(p)
        return
    forked = hasattr(os, "fork")  # forked workers inherit the compiled rules
    init, args = (worker_setup, (os.getpid(),)) if forked else (_init_spawned_worker, (os.getpid(), rules_dir))
    with WorkerPool(jobs, _extract_path, init, args) as pool:
        yield from pool.imap(paths, chunksize=8)


def _sort_key(table: str, schema: dict[str, Any]) -> Any:
    pk = schema["primaryKey"]
    return lambda row: tuple("" if row.get(k) is None else str(row.get(k)) for k in pk)


def exchange_rate_rows(rules_dir: Path) -> list[dict[str, Any]]:
    """The ``exchange_rates`` table: every curated rate of rules/exchange_rates.yaml."""
    path = rules_dir / "exchange_rates.yaml"
    return load_exchange_rates(path, read_rules_file(path)).rows()


def write_package(out_root: Path, seeds_dir: Path, rules_dir: Path, jobs: int = 1,
                  schemas_dir: Path | None = None) -> tuple[dict[str, int], list[dict[str, Any]]]:
    """Extract and write ``out_root/dataset/*`` and ``out_root/datapackage.json`` (no validation)."""
    return write_results(out_root, extract_all(seeds_dir, rules_dir, jobs), exchange_rate_rows(rules_dir),
                         schemas_dir)


def write_results(out_root: Path, results: Generator[tuple[Article, ArticleResult], None, None],
                  exchange_rates: list[dict[str, Any]],
                  schemas_dir: Path | None = None) -> tuple[dict[str, int], list[dict[str, Any]]]:
    """Write the package of extraction ``results`` given in article order (no validation), with
    the ``exchange_rates`` table (:func:`exchange_rate_rows` of the rules that extracted them).

    The one writer of every build, local or distributed (:mod:`bigtech_events.distributed`).
    """
    schemas = load_schemas(schemas_dir)
    meta = load_dataset_meta()
    dataset = out_root / "dataset"
    dataset.mkdir(parents=True, exist_ok=True)
    sinks = {t: TableSink(t, schemas[t], dataset) for t in ("articles", *PER_ARTICLE_TABLES)}
    actors: dict[str, dict[str, Any]] = {}
    aliases: set[tuple[str, str]] = set()
    sources: list[dict[str, Any]] = []  # one small record per article, for the descriptor
    try:
        for article, result in results:
            timing.merge(result.timings)
            with timing.stage("writing"):
                sources.append(source_entry(article))
                sinks["articles"].add([result.article_row])
                for table in PER_ARTICLE_TABLES:
                    sinks[table].add(sorted(result.rows[table], key=_sort_key(table, schemas[table])))
                actors.update(result.actors)
                aliases |= result.aliases
    finally:
        results.close()  # stops the workers, whatever stopped the loop
        with timing.stage("writing"):
            for sink in sinks.values():
                sink.close()
    with timing.stage("writing"):
        counts = _write_shared(dataset, schemas, sinks, actors, aliases, exchange_rates)
        descriptor = build_descriptor(meta, schemas, sources, out_root, __version__)
        (out_root / "datapackage.json").write_text(dump_descriptor(descriptor), encoding="utf-8")
    return counts, sources


def _write_shared(dataset: Path, schemas: dict[str, Any], sinks: dict[str, TableSink],
                  actors: dict[str, dict[str, Any]], aliases: set[tuple[str, str]],
                  exchange_rates: list[dict[str, Any]]) -> dict[str, int]:
    """Write the tables of no one article (the actors and their aliases gathered from every
    article, the exchange rates); the row counts of all tables."""
    counts = {t: s.count for t, s in sinks.items()}
    for table, rows in (
        ("actors", [actors[k] for k in sorted(actors)]),
        ("actor_aliases", [{"actor_id": a, "alias": b} for a, b in sorted(aliases)]),
        ("exchange_rates", exchange_rates),
    ):
        sink = TableSink(table, schemas[table], dataset)
        sink.add(rows)
        sink.close()
        counts[table] = sink.count
    return counts


def build(seeds_dir: Path, rules_dir: Path, out_dir: Path, jobs: int = 1,
          run_frictionless: bool = True) -> BuildReport:
    """Build, validate and atomically install the package at ``out_dir``.

    An operating-system error that names no file (a library writing a table on a full disk)
    is given ``out_dir`` as its file, so that the message says where.
    """
    prepare_out_dir(out_dir)
    with naming(out_dir), workspace(out_dir) as tmp:
        counts, sources = write_package(tmp, seeds_dir, rules_dir, jobs)
        with timing.stage("validation"):
            problems = validate_dir(tmp, seeds_dir=seeds_dir, run_frictionless=run_frictionless,
                                    jobs=jobs)
        if problems:
            raise ValidationFailed(problems)
        with timing.stage("writing"):
            install(tmp, out_dir)
    return BuildReport(out_dir, counts, len(sources))
