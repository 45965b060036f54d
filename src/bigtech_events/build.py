"""Build: seeds + rules -> extraction -> validation -> package, written atomically.

Everything is written to a temporary directory beside the target; the old
package is replaced only after the new one validates, so a failed build
leaves the previous package byte for byte as it was. The switch itself, its
lock and its journal are in :mod:`bigtech_events.install`; the worker
processes die with the build and ignore Ctrl-C (the build stops them).
"""

from __future__ import annotations

import dataclasses
import itertools
import os
from collections.abc import Generator, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import __version__, timing
from .cache import ExtractCache, Extracted
from .datapackage import Sources, build_descriptor, source_entry, write_descriptor
from .errors import UserError, ValidationFailed, naming
from .extract import Extractor
from .extract.fx import load_exchange_rates
from .extract.pipeline import PER_ARTICLE_TABLES
from .install import install, prepare_out_dir, workspace
from .metadata import load_dataset_meta
from .paths import project_path
from .progress import track
from .ruleset import load_rules, read_rules_file
from .schemas import arrow_schema, load_schemas
from .seeds import load_article, read_problems, scan_seeds
from .snapshot import TABLES as SNAPSHOT_TABLES
from .snapshot import Kept, Recorder, Snapshot
from .snapshot import load as load_snapshot
from .standby import StandbyValidation
from .workers import WorkerPool, worker_setup
from .writer import Columns, ColumnsPart, RowOrder, TableSink, concat_columns

_WORKER: Extractor | None = None
_CACHE: ExtractCache | None = None
_ORDERS: dict[str, RowOrder] = {}

#: A seed to extract: its text file and its cache key (``None``: not cached).
Item = tuple[str, str | None]
#: Seeds a worker extracts at a time: few enough that the results waiting to be written in order
#: stay small, enough that a worker is not waiting for its next task (it holds one more).
CHUNK = 8


@dataclass
class BuildReport:
    out_dir: Path
    counts: dict[str, int]
    articles: int
    extracted: int | None = None  # articles extracted (the rest came from the cache); None: no cache


def _init_worker(rules_dir: str, cache: ExtractCache | None = None) -> None:
    global _WORKER, _CACHE, _ORDERS
    _WORKER = Extractor(load_rules(Path(rules_dir)))
    _CACHE = cache
    schemas = load_schemas()
    _ORDERS = {t: RowOrder(schemas[t]) for t in PER_ARTICLE_TABLES}


def _init_spawned_worker(parent: int, rules_dir: str, cache: ExtractCache | None) -> None:
    worker_setup(parent)
    _init_worker(rules_dir, cache)


def _extract_item(item: Item) -> Extracted | list[str]:
    """Extract one seed (and store its rows in the cache when it has a key); a seed that cannot
    be loaded gives its problems instead, one line each."""
    assert _WORKER is not None
    path, key = item
    with timing.stage("ingest"):
        try:
            article = load_article(Path(path))
        except UserError as exc:
            return list(getattr(exc, "problems", None) or [str(exc)])
    result, source = _WORKER.extract(article), source_entry(article)
    if key is not None and _CACHE is not None:
        _CACHE.store(key, Extracted(source, result))
    with timing.stage("rows"):  # sorted and in columns here, in parallel, not in the writing process
        rows = {t: _ORDERS[t].columns(result.rows[t]) for t in PER_ARTICLE_TABLES}
    # what the writer needs: the explain trace and the sentences stay here
    written = dataclasses.replace(result, rows=rows, trace=[], sentences=[])
    written.timings = timing.take()  # this process's seconds so far go with the result (empty when off)
    return Extracted(source, written)


@dataclass
class Chunk:
    """The results of consecutive seeds, as a worker sends them: each table's rows of all of them
    in one :class:`Columns` (``tables``: with where each seed's rows start), taken out of the
    results. :meth:`results` gives them back, each seed's rows a :class:`ColumnsPart`."""

    extracted: list[Extracted | list[str]]
    tables: dict[str, tuple[Columns, list[int]]]

    @classmethod
    def of(cls, got: list[Extracted | list[str]]) -> Chunk:
        done = [g for g in got if not isinstance(g, list)]
        tables = {t: concat_columns([g.result.rows[t] for g in done]) for t in PER_ARTICLE_TABLES} if done else {}
        bare = [g if isinstance(g, list) else Extracted(g.source, dataclasses.replace(g.result, rows={}))
                for g in got]
        return cls(bare, tables)

    def results(self) -> Iterator[Extracted | list[str]]:
        n = 0
        for got in self.extracted:
            if not isinstance(got, list):
                got.result.rows = {t: ColumnsPart(columns, starts[n], starts[n + 1])
                                   for t, (columns, starts) in self.tables.items()}
                n += 1
            yield got


def _extract_chunk(items: list[Item]) -> Chunk:
    return Chunk.of([_extract_item(item) for item in items])


class Extraction:
    """Extraction results in article-id order, streamed (memory does not grow with the corpus).

    Every problem of every seed and every rules file is raised at once (:class:`ValidationFailed`,
    seeds first). The rules, and what a seed's name and files show without reading them, are
    checked before any work; a seed's text and metadata are read (and so checked) once, by the
    worker that extracts it, and the iteration ends by raising the problems of the seeds that could
    not be read (nothing has been installed by then). With a cache, a seed whose entry is there
    is read from it and only the others are extracted; ``extracted`` counts those (after the
    iteration), and the rules are compiled only when something is to be extracted.
    """

    def __init__(self, seeds_dir: Path, rules_dir: Path, jobs: int = 1, cache: ExtractCache | None = None,
                 snapshot: Snapshot | None = None) -> None:
        self.rules_dir, self.jobs, self.cache = str(rules_dir), jobs, cache
        # an article recorded in the last build's snapshot with the same key: its rows are copied
        self.plan, self.kept, problems = _plan(seeds_dir, cache, snapshot)
        if cache is None or not all(hit for _, hit in self.plan):
            # here, not in a worker, so the rules are checked before any work; with a cache only
            # when there is something to extract (an entry exists only for rules that compiled)
            rules = _rules_problems(self.rules_dir, cache)
            if rules:  # every problem at once: read the seeds here, as the workers would have
                problems += read_problems(Path(path) for (path, _), hit in self.plan if not hit)
            problems += rules
        if problems:
            raise ValidationFailed(problems)
        self.extracted = 0
        self.keys: list[str | None] = []  # the cache key of each article yielded, in order

    def changed(self) -> set[str] | None:
        """The ids of the articles not copied from the snapshot (``None``: no article was)."""
        if all(k is None for k in self.kept):
            return None
        return {article_id for article_id, at in zip(self.plan.ids, self.kept, strict=True) if at is None}

    def __len__(self) -> int:
        return len(self.plan)

    def __iter__(self) -> Iterator[Extracted | Kept]:
        misses = (item for item, hit in self.plan if not hit)
        stream = _extract_items(misses, self.plan.misses, self.rules_dir, self.jobs, self.cache)
        problems: list[str] = []
        try:
            for (item, hit), kept in zip(self.plan, self.kept, strict=True):
                if kept is not None:
                    self.keys.append(item[1])
                    yield Kept(kept)
                    continue
                got = self._load(item) if hit else None
                if got is None:
                    self.extracted += 1
                    got = next(stream) if not hit else self._extract_again(item)
                if isinstance(got, list):
                    problems += got
                    continue
                self.keys.append(item[1])
                yield got
        finally:
            stream.close()  # stops the workers, whatever stopped the loop
        if problems:
            raise ValidationFailed(problems)

    def _extract_again(self, item: Item) -> Extracted | list[str]:
        """Extract a seed whose entry was there but could not be used (damaged, removed meanwhile)."""
        _init_worker(self.rules_dir, self.cache)  # the rules were not compiled when every entry was there
        return _extract_item(item)

    def _load(self, item: Item) -> Extracted | None:
        path, key = item
        assert self.cache is not None and key is not None
        return self.cache.load(key, Path(path).stem)


def _rules_problems(rules_dir: str, cache: ExtractCache | None) -> list[str]:
    """Compile the rules for this process's extractions; their problems, one line each."""
    try:
        _init_worker(rules_dir, cache)
    except ValidationFailed as exc:
        return list(exc.problems)
    except UserError as exc:
        return [str(exc)]
    return []


class Plan:
    """The seeds of a build in order, each as its :data:`Item` and whether its rows are at hand,
    held compactly (an id, a key and a flag per seed, not its path: 100,000 seeds' paths and
    tuples held 60 MB in the process that forks the workers)."""

    def __init__(self, seeds_dir: Path) -> None:
        self.seeds_dir = seeds_dir
        self.ids: list[str] = []
        self.keys: list[str | None] = []
        self.hits = bytearray()
        self.misses = 0

    def add(self, article_id: str, key: str | None, hit: bool) -> None:
        self.ids.append(article_id)
        self.keys.append(key)
        self.hits.append(hit)
        self.misses += not hit

    def __len__(self) -> int:
        return len(self.ids)

    def __iter__(self) -> Iterator[tuple[Item, bool]]:
        directory = os.path.join(self.seeds_dir, "")  # joined as text: a tenth of the time of a Path per seed
        for article_id, key, hit in zip(self.ids, self.keys, self.hits, strict=True):
            yield (f"{directory}{article_id}.txt", key), bool(hit)


def _plan(seeds_dir: Path, cache: ExtractCache | None,
          snapshot: Snapshot | None = None) -> tuple[Plan, list[int | None], list[str]]:
    """Each seed with its cache key and whether its rows are at hand (in ``snapshot``, or as a
    cache entry), the position in ``snapshot`` of each seed it holds, and the problems found
    without reading the seeds (a name, a missing or irregular file; a seed at hand needs no more
    checks: its text and metadata are in its key). A seed to extract is read by its worker."""
    texts, problems = scan_seeds(seeds_dir)
    plan = Plan(seeds_dir)
    if cache is None:
        for path in texts:
            plan.add(path.stem, None, False)
        return plan, [None] * len(texts), problems
    index = snapshot.index() if snapshot is not None else {}
    kept = []
    for path in texts:
        try:
            key = cache.key(path)
        except OSError as exc:  # the file vanished or could not be read after the listing
            problems.append(f"{path}: cannot be read ({exc.strerror}); check the file")
            continue
        at = index.get((path.stem, key))
        plan.add(path.stem, key, at is not None or cache.has(key))
        kept.append(at)
    return plan, kept, problems


def _extract_items(items: Iterable[Item], count: int, rules_dir: str, jobs: int,
                   cache: ExtractCache | None) -> Iterator[Extracted]:
    """Each of the ``count`` ``items`` extracted, in order."""
    if jobs <= 1 or count < 2:
        for item in items:
            yield _extract_item(item)
        return
    forked = hasattr(os, "fork")  # forked workers inherit the compiled rules and the cache
    init, args = ((worker_setup, (os.getpid(),)) if forked
                  else (_init_spawned_worker, (os.getpid(), rules_dir, cache)))
    pending = iter(items)
    chunks = iter(lambda: list(itertools.islice(pending, CHUNK)), [])
    with WorkerPool(jobs, _extract_chunk, init, args) as pool:
        for chunk in pool.imap(chunks, chunksize=1):
            yield from chunk.results()


def exchange_rate_rows(rules_dir: Path) -> list[dict[str, Any]]:
    """The ``exchange_rates`` table: every curated rate of rules/exchange_rates.yaml."""
    path = rules_dir / "exchange_rates.yaml"
    return load_exchange_rates(path, read_rules_file(path)).rows()


def write_package(out_root: Path, seeds_dir: Path, rules_dir: Path, jobs: int = 1,
                  schemas_dir: Path | None = None,
                  cache: ExtractCache | None = None) -> tuple[dict[str, int], int]:
    """Extract and write ``out_root/dataset/*`` and ``out_root/datapackage.json`` (no validation)."""
    load_schemas(schemas_dir)  # first: a broken schema is reported before the rules that read it
    return write_extraction(out_root, Extraction(seeds_dir, rules_dir, jobs, cache), rules_dir, schemas_dir)


def write_extraction(out_root: Path, extraction: Extraction, rules_dir: Path,
                     schemas_dir: Path | None = None, snapshot: Snapshot | None = None,
                     recorder: Recorder | None = None) -> tuple[dict[str, int], int]:
    """Write the package of ``extraction``'s results at ``out_root`` (no validation)."""
    results = track(iter(extraction), "extracting articles", total=len(extraction))
    return write_results(out_root, results, exchange_rate_rows(rules_dir), schemas_dir, snapshot, recorder)


def write_results(out_root: Path, results: Generator[Extracted | Kept, None, None],
                  exchange_rates: list[dict[str, Any]],
                  schemas_dir: Path | None = None, snapshot: Snapshot | None = None,
                  recorder: Recorder | None = None) -> tuple[dict[str, int], int]:
    """Write the package of extraction ``results`` given in article order (no validation), with
    the ``exchange_rates`` table (:func:`exchange_rate_rows` of the rules that extracted them).
    A :class:`Kept` result is an article whose rows are copied from ``snapshot``; ``recorder``
    keeps this build's rows for the next one (:mod:`bigtech_events.snapshot`).

    The one writer of every build, local or distributed (:mod:`bigtech_events.distributed`).
    """
    schemas = load_schemas(schemas_dir)
    meta = load_dataset_meta()
    dataset = out_root / "dataset"
    dataset.mkdir(parents=True, exist_ok=True)
    sinks = {t: TableSink(t, schemas[t], dataset, tee=None if recorder is None else recorder.tee(t))
             for t in SNAPSHOT_TABLES}
    orders = {t: RowOrder(schemas[t]) for t in PER_ARTICLE_TABLES}
    actors: dict[str, dict[str, Any]] = {}
    aliases: set[tuple[str, str]] = set()
    sources = Sources(out_root / ".sources.jsonl")  # one small record per article, for the descriptor
    run: list[int] = []  # first and last position in the snapshot of kept articles not yet written

    def write_run() -> None:
        if run:
            assert snapshot is not None
            for table in SNAPSHOT_TABLES:
                sinks[table].add_arrow(snapshot.rows(table, run[0], run[1]))
            run.clear()

    try:
        for got in results:
            with timing.stage("writing"):
                if isinstance(got, Kept):
                    assert snapshot is not None
                    i = got.index
                    kept_actors, kept_aliases = snapshot.actors(i), snapshot.aliases(i)
                    sources.append(snapshot.sources[i])
                    actors.update(kept_actors)
                    aliases.update(kept_aliases)
                    if recorder is not None:
                        recorder.copied(snapshot, i)
                    if run and run[1] + 1 == i:
                        run[1] = i
                    else:
                        write_run()
                        run[:] = [i, i]
                    continue
                write_run()
            source, result = got
            timing.merge(result.timings)
            with timing.stage("writing"):
                sources.append(source)
                sinks["articles"].add([result.article_row])
                for table in PER_ARTICLE_TABLES:
                    sinks[table].add(orders[table].columns(result.rows[table]))
                actors.update(result.actors)
                aliases |= result.aliases
                if recorder is not None:
                    recorder.article(result.article_row["article_id"],
                                     {"articles": 1, **{t: len(result.rows[t]) for t in PER_ARTICLE_TABLES}},
                                     source, result.actors, result.aliases)
        with timing.stage("writing"):
            write_run()
            for sink in sinks.values():
                sink.close()
            counts = _write_shared(dataset, schemas, sinks, actors, aliases, exchange_rates)
            descriptor = build_descriptor(meta, schemas, [], out_root, __version__)
            write_descriptor(out_root / "datapackage.json", descriptor, sources)
    finally:
        results.close()  # stops the workers, whatever stopped the loop
        for sink in sinks.values():
            sink.close()
        sources.close()
    return counts, sources.count


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
          run_frictionless: bool = False, cache_dir: Path | None = None) -> BuildReport:
    """Build, validate and atomically install the package at ``out_dir``.

    The package is validated with every check of :func:`bigtech_events.validate.check_package`
    but the Frictionless pass (which reads every CSV again, row by row: most of a large build's
    validation time); ``run_frictionless`` adds it. ``validate`` and ``release`` run it
    unless told not to.

    With ``cache_dir``, each article's rows are kept there (see :mod:`bigtech_events.cache`) and
    only the articles whose text, metadata, rules or code changed are extracted again; the
    package is byte for byte the one a build without a cache writes.

    An operating-system error that names no file (a library writing a table on a full disk)
    is given ``out_dir`` as its file, so that the message says where.
    """
    prepare_out_dir(out_dir)
    load_schemas()  # first: a broken schema is reported before the rules that read it
    cache = None if cache_dir is None else ExtractCache(cache_dir, rules_dir, project_path("schemas"))
    snapshot, recorder = None, None
    with naming(out_dir), workspace(out_dir) as tmp, StandbyValidation(jobs) as validation:
        with timing.stage("ingest"):  # the seeds, their keys, the last build's rows
            if cache is not None:
                schemas = load_schemas()
                snapshot = load_snapshot(cache.directory, cache.fingerprint,
                                         {t: arrow_schema(schemas[t]) for t in SNAPSHOT_TABLES})
            extraction = Extraction(seeds_dir, rules_dir, jobs, cache, snapshot)
        recorder = None if cache is None else Recorder(cache.directory, cache.fingerprint)
        try:
            counts, articles = write_extraction(tmp, extraction, rules_dir, snapshot=snapshot, recorder=recorder)
            with timing.stage("validation"):
                # an article copied from the snapshot was validated, spans and all, by the build
                # that recorded it (same text, rules, schemas and code: its key says so)
                problems = validation(tmp, seeds_dir=seeds_dir, run_frictionless=run_frictionless,
                                      jobs=jobs, span_articles=extraction.changed())
            if problems:
                raise ValidationFailed(problems)
            with timing.stage("writing"):
                install(tmp, out_dir)
        except BaseException:
            if recorder is not None:
                recorder.discard()
            raise
        if recorder is not None:
            with timing.stage("writing"):
                recorder.install(extraction.keys)
    return BuildReport(out_dir, counts, articles, extraction.extracted if cache else None)
